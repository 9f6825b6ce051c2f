// Guards the HttpRequest header lookup every layer above http/ relies on:
// case-insensitive names, first occurrence wins, absent means empty.
#include <gtest/gtest.h>

#include "stsd/http/server.h"

namespace stsd::http {
namespace {

TEST(HttpRequestTest, HeaderLookupIsCaseInsensitiveAndFirstWins) {
  HttpRequest request;
  request.headers = {{"X-Amz-Date", "20190112T212308Z"}, {"content-type", "text/xml"}, {"x-amz-date", "later"}};
  EXPECT_EQ(request.header("x-amz-date"), "20190112T212308Z");
  EXPECT_EQ(request.header("Content-Type"), "text/xml");
  EXPECT_TRUE(request.has_header("CONTENT-TYPE"));
  EXPECT_FALSE(request.has_header("Authorization"));
  EXPECT_EQ(request.header("Authorization"), "");
}

TEST(HttpRequestTest, PresentButEmptyHeaderIsDistinctFromAbsent) {
  HttpRequest request;
  request.headers = {{"X-Amz-Security-Token", ""}};
  EXPECT_TRUE(request.has_header("x-amz-security-token"));
  EXPECT_EQ(request.header("x-amz-security-token"), "");
}

}  // namespace
}  // namespace stsd::http
