// Guards the byte shape of AWS's envelopes (captures quoted in
// github.com/aws/aws-sdk-go-v2/issues/2135 and
// github.com/aws-azure-login/aws-azure-login/issues/251): no
// declaration, two-space indent, trailing newline, Type/Code/Message order,
// the AWSFault namespace for dispatch errors, and the JSON rendering.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <random>

#include "stsd/protocol/response_writer.h"

using namespace stsd;
using namespace stsd::protocol;
using stsd::service::ResultNode;

namespace {
std::string header(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}
}  // namespace

TEST(ResponseWriter, ErrorEnvelopeIsByteExact) {
  auto r = render_error(StsError::make(ErrorCode::InvalidClientTokenId,
                                       "The security token included in the request is invalid"),
                        "16fc956c-311e-4199-bee1-1680236e9698", Format::Xml);
  // The 305-byte capture from real AWS.
  const std::string expected =
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n"
      "    <Code>InvalidClientTokenId</Code>\n    <Message>The security token included in the request is "
      "invalid</Message>\n  </Error>\n  <RequestId>16fc956c-311e-4199-bee1-1680236e9698</RequestId>\n"
      "</ErrorResponse>\n";
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(r.body.size(), 305u);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(header(r, "x-amzn-RequestId"), "16fc956c-311e-4199-bee1-1680236e9698");
  EXPECT_EQ(header(r, "Content-Type"), "text/xml");
}

TEST(ResponseWriter, DispatchErrorsUseTheAwsFaultNamespace) {
  auto r = render_error(StsError::make(ErrorCode::InvalidAction, "Could not find operation X for version 2011-06-15"),
                        "id", Format::Xml);
  EXPECT_NE(r.body.find("<ErrorResponse xmlns=\"http://webservices.amazon.com/AWSFault/2005-15-09\">"),
            std::string::npos);
  EXPECT_EQ(r.status, 400);
}

TEST(ResponseWriter, MalformedInputHasNoMessageElement) {
  auto r = render_error(StsError::without_message(ErrorCode::MalformedInput), "id", Format::Xml);
  EXPECT_EQ(r.body.find("<Message>"), std::string::npos);
  EXPECT_NE(r.body.find("<Code>MalformedInput</Code>"), std::string::npos);
}

TEST(ResponseWriter, MessagesAreEscapedAndMadeValidUtf8) {
  auto r = render_error(StsError::make(ErrorCode::ValidationError, "Value '<&\x01\xff>' bad"), "id", Format::Xml);
  EXPECT_NE(r.body.find("Value '&lt;&amp;\xEF\xBF\xBD\xEF\xBF\xBD&gt;' bad"), std::string::npos) << r.body;
}

TEST(ResponseWriter, SuccessEnvelopeShape) {
  ResultNode result = ResultNode::structure(
      "GetCallerIdentityResult", ResultNode::string("Arn", "arn:aws:iam::123456789012:user/Alice"),
      ResultNode::string("UserId", "AIDAEXAMPLE"), ResultNode::string("Account", "123456789012"));
  auto r = render_success("GetCallerIdentity", result, "rid", Format::Xml);
  EXPECT_EQ(r.body,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
            "  <GetCallerIdentityResult>\n"
            "    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n"
            "    <UserId>AIDAEXAMPLE</UserId>\n"
            "    <Account>123456789012</Account>\n"
            "  </GetCallerIdentityResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>rid</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</GetCallerIdentityResponse>\n");
  EXPECT_EQ(r.status, 200);
}

TEST(ResponseWriter, TimestampsAreWholeSecondsInXmlAndEpochInJson) {
  ResultNode result = ResultNode::structure(
      "GetSessionTokenResult", ResultNode::structure("Credentials", ResultNode::timestamp("Expiration", 1547328188)));
  auto xml = render_success("GetSessionToken", result, "rid", Format::Xml);
  EXPECT_NE(xml.body.find("<Expiration>2019-01-12T21:23:08Z</Expiration>"), std::string::npos);
  auto json = render_success("GetSessionToken", result, "rid", Format::Json);
  EXPECT_EQ(json.body,
            R"({"GetSessionTokenResponse":{"GetSessionTokenResult":{"Credentials":{"Expiration":1547328188}},)"
            R"("ResponseMetadata":{"RequestId":"rid"}}})");
  EXPECT_EQ(header(json, "Content-Type"), "application/json");
}

// The writer produces pugixml's formatting without a DOM; pugixml stays the
// reference here, on random trees and every byte value a text can hold.
namespace {
struct StringSink final : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
};

void append_reference(pugi::xml_node parent, const ResultNode& node) {
  pugi::xml_node el = parent.append_child(node.name.c_str());
  if (node.kind == ResultNode::Kind::Structure)
    for (const auto& child : node.children) append_reference(el, child);
  else if (node.kind == ResultNode::Kind::String)
    el.text().set(node.text.c_str());
  else if (node.kind == ResultNode::Kind::Integer)
    el.text().set(std::to_string(node.number).c_str());
}

std::string reference_rendering(std::string_view action, const ResultNode& result, std::string_view request_id) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child((std::string(action) + "Response").c_str());
  root.append_attribute("xmlns").set_value(std::string(kStsNamespace).c_str());
  append_reference(root, result);
  root.append_child("ResponseMetadata").append_child("RequestId").text().set(std::string(request_id).c_str());
  StringSink sink;
  doc.save(sink, "  ", pugi::format_indent | pugi::format_no_declaration | pugi::format_no_empty_element_tags,
           pugi::encoding_utf8);
  return sink.out;
}

ResultNode random_node(std::mt19937& rng, int depth) {
  const std::string name = std::string("N").append(std::to_string(rng() % 1000));  // g++ 12 -Wrestrict
  const unsigned kind = depth >= 3 ? 1 + rng() % 2 : rng() % 3;
  if (kind == 1) {
    std::string text;
    const std::size_t length = rng() % 12;
    for (std::size_t i = 0; i < length; ++i) text += static_cast<char>(1 + rng() % 255);  // no NUL: C strings
    return ResultNode::string(name, text);
  }
  if (kind == 2) return ResultNode::integer(name, static_cast<std::int64_t>(rng()) - (1ll << 31));
  ResultNode node = ResultNode::structure(name);
  const std::size_t children = rng() % 4;
  for (std::size_t i = 0; i < children; ++i) node.children.push_back(random_node(rng, depth + 1));
  return node;
}
}  // namespace

TEST(ResponseWriter, SuccessBodiesMatchPugixmlOnRandomTrees) {
  std::mt19937 rng(20261123);
  for (int i = 0; i < 2000; ++i) {
    const ResultNode result = random_node(rng, 0);
    const auto r = render_success("AssumeRole", result, "rid-&<>", Format::Xml);
    ASSERT_EQ(r.body, reference_rendering("AssumeRole", result, "rid-&<>")) << "tree " << i;
  }
}

TEST(ResponseWriter, EveryByteIsEscapedAsPugixmlDoes) {
  std::string all;
  for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
  const ResultNode result =
      ResultNode::structure("R", ResultNode::string("Text", all), ResultNode::string("Empty", ""));
  EXPECT_EQ(render_success("X", result, "id", Format::Xml).body, reference_rendering("X", result, "id"));
}

// Long, mostly plain texts with a few special bytes at every offset, so the
// writer's eight-byte fast path meets specials in each position of a word.
TEST(ResponseWriter, SparseSpecialsInLongTextsMatchPugixml) {
  const std::string specials = "&<>\"'\t\n\r\x01\x1f\x7f\x80\xff";
  std::mt19937 rng(8);
  for (int i = 0; i < 3000; ++i) {
    std::string text(8 + rng() % 57, 'a');
    for (char& c : text) c = static_cast<char>('0' + rng() % 75);
    for (unsigned k = rng() % 3; k > 0; --k) text[rng() % text.size()] = specials[rng() % specials.size()];
    const ResultNode result = ResultNode::structure("R", ResultNode::string("Text", text));
    ASSERT_EQ(render_success("X", result, "id", Format::Xml).body, reference_rendering("X", result, "id")) << i;
  }
}
