# Runs one fuzz target for CTest (cmake -P). Never writes into the source tree:
# new inputs go to a copy of the seeds under WORK, artifacts (crash-*, leak-*,
# timeout-*) to WORK/artifacts/.
#   MODE=regressions  every seed and every reproducer in REGRESSIONS once
#   MODE=smoke        SECONDS of fuzzing over a copy of SEEDS (DICT if set)
# Inputs: FUZZER, SEEDS, REGRESSIONS, DICT (may be empty), WORK, MODE, SECONDS.
set(limits -timeout=10 -rss_limit_mb=2048)

if(MODE STREQUAL "regressions")
  file(GLOB inputs LIST_DIRECTORIES false "${SEEDS}/*" "${REGRESSIONS}/*")
  list(FILTER inputs EXCLUDE REGEX "/README[^/]*$")
  if(NOT inputs)
    message(FATAL_ERROR "no seeds in ${SEEDS}")
  endif()
  file(MAKE_DIRECTORY "${WORK}/artifacts")
  # Given files (not folders), libFuzzer runs each once and exits.
  execute_process(COMMAND "${FUZZER}" ${limits} "-artifact_prefix=${WORK}/artifacts/" ${inputs}
                  RESULT_VARIABLE rc)
elseif(MODE STREQUAL "smoke")
  file(REMOVE_RECURSE "${WORK}")
  file(MAKE_DIRECTORY "${WORK}/artifacts")
  file(COPY "${SEEDS}/" DESTINATION "${WORK}/corpus")
  set(dict_arg "")
  if(DICT)
    set(dict_arg "-dict=${DICT}")
  endif()
  execute_process(COMMAND "${FUZZER}" ${limits} -max_total_time=${SECONDS} -print_final_stats=1
                          "-artifact_prefix=${WORK}/artifacts/" ${dict_arg} "${WORK}/corpus"
                  RESULT_VARIABLE rc)
else()
  message(FATAL_ERROR "MODE must be regressions or smoke")
endif()

if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${rc}); reproducers, if any, are in ${WORK}/artifacts/")
endif()
