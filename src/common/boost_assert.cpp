// Boost's assertion handler, compiled only where BOOST_ENABLE_ASSERT_HANDLER
// is defined: the fuzz preset, whose Debug build keeps Boost's assertions on.
// One assertion of Beast 1.74 is known to be false and is let through: in
// basic_parser::parse_chunk_header, `n >= 5` assumes a CRLF before the last
// chunk, which a body made only of `0\r\n\r\n` arriving a byte at a time does
// not have (boostorg/beast#2861 corrected it to 3 in 2024; the code after it
// is right either way). Every other failed assertion aborts, as assert does.
#ifdef BOOST_ENABLE_ASSERT_HANDLER

#include <boost/assert.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace boost {

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  if (std::strcmp(expr, "n >= 5") == 0 && std::strstr(function, "parse_chunk_header") != nullptr) return;
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file, long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}

}  // namespace boost

#endif
