// Built only by the lint test `lint_upward_include_does_not_compile`, never
// by default: a domain-level file that reaches up into the service layer.
// The test passes when the compiler cannot find the service header, i.e.
// when CMake gives stsd_domain's users no path to it.
#include "stsd/domain/store.h"
#include "stsd/service/caller.h"
