// Guards stsd/common/json.h, the one reader of outside JSON (issue 11 item
// 8): nesting past the limit is refused at its first too-deep bracket, so a
// 100,000-level document (which crashed the admin API through dump()) is
// never built; the size limit, duplicate keys by pointer, and syntax errors
// with line and column.
#include "stsd/common/json.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using stsd::JsonLimits;
using stsd::JsonProblem;
using stsd::read_json;

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ReadJson, ReadsPlainDocumentsInBothFlavours) {
  auto doc = read_json<json>(R"({"b": [1, 2.5, "x", null, true], "a": {}})");
  ASSERT_TRUE(doc) << doc.error().to_string();
  EXPECT_EQ((*doc)["b"][2], "x");
  auto ordered = read_json<ordered_json>(R"({"b": 1, "a": 2})");
  ASSERT_TRUE(ordered);
  EXPECT_EQ(ordered->dump(), R"({"b":1,"a":2})");  // document order kept
}

TEST(ReadJson, DepthLimitIsExactAndNamesThePlace) {
  EXPECT_TRUE(read_json<json>(nested_arrays(64)));
  auto deep = read_json<json>(nested_arrays(65));
  ASSERT_FALSE(deep);
  std::string pointer;
  for (int i = 0; i < 64; ++i) pointer += "/0";
  EXPECT_EQ(deep.error().to_string(), pointer + ": nested deeper than 64 levels");

  JsonLimits shallow;
  shallow.max_depth = 2;
  auto obj = read_json<ordered_json>(R"({"a": {"b": {"c": 1}}})", shallow);
  ASSERT_FALSE(obj);
  EXPECT_EQ(obj.error().to_string(), "/a/b: nested deeper than 2 levels");
}

TEST(ReadJson, HostileNestingIsRefusedWithoutRecursion) {
  // The sizes of the review's crashes: 60,000 arrays, 100,000 objects.
  EXPECT_FALSE(read_json<ordered_json>(nested_arrays(60000)));
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
  objects += '1';
  objects.append(100000, '}');
  EXPECT_FALSE(read_json<json>(objects));
  // Unterminated: refused at the limit too, not at the end of the text.
  auto open = read_json<json>(std::string(1000000, '['));
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("nested deeper than 64 levels"), std::string::npos);
}

TEST(ReadJson, SizeLimitIsCheckedFirst) {
  JsonLimits small;
  small.max_bytes = 8;
  EXPECT_TRUE(read_json<json>("[1,2,3]", small));
  auto big = read_json<json>("[1,2,3,4]", small);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message, "JSON text of 9 bytes is larger than the limit of 8");
}

TEST(ReadJson, DuplicateKeysAreReportedWhenAskedAndTheLastWins) {
  std::vector<JsonProblem> duplicates;
  auto doc = read_json<json>(R"({"a": [{"k": 1, "k": 2}], "a~/b": 1, "a~/b": 2})", {}, &duplicates);
  ASSERT_TRUE(doc);
  EXPECT_EQ((*doc)["a"][0]["k"], 2);
  ASSERT_EQ(duplicates.size(), 2u);
  EXPECT_EQ(duplicates[0].to_string(), "/a/0/k: duplicate key");
  EXPECT_EQ(duplicates[1].to_string(), "/a~0~1b: duplicate key");
  EXPECT_TRUE(read_json<json>(R"({"k": 1, "k": 2})"));  // not asked: accepted silently, as nlohmann does
}

TEST(ReadJson, SyntaxErrorsGiveLineAndColumnInPrintableText) {
  auto bad = read_json<json>("{\n  \"a\": [,]\n}");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().pointer, "");
  EXPECT_EQ(bad.error().message.rfind("invalid JSON at line 2, column 9: ", 0), 0u) << bad.error().message;
  auto bytes = read_json<json>("\"\xff\"");
  ASSERT_FALSE(bytes);
  EXPECT_NE(bytes.error().message.find("\\xFF"), std::string::npos) << bytes.error().message;
  EXPECT_FALSE(read_json<json>(""));
  EXPECT_FALSE(read_json<json>("[] trailing"));
}

}  // namespace
