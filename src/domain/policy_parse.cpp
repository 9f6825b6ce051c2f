// Reading IAM policy JSON (IAM User Guide: "IAM JSON policy elements
// reference", "IAM JSON policy grammar") into plain structs and their
// compiled form (policy_internal.h); the evaluation is policy.cpp.
#include <nlohmann/json.hpp>

#include "policy_internal.h"
#include "stsd/common/ascii.h"
#include "stsd/common/json_limits.h"

namespace stsd::domain {

namespace policy_detail {

namespace {

using nlohmann::json;

constexpr std::string_view kVersion2012 = "2012-10-17";
constexpr std::string_view kVersion2008 = "2008-10-17";

// Policy text keeps its wildcards; only a backslash needs escaping.
std::string escape_policy_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads the inside of "${...}" starting just after "${"; on success sets
// `end` to the index after '}'. Returns false when no '}' closes it at all.
bool read_variable(std::string_view s, std::size_t start, TemplatePart& part, std::size_t& end) {
  std::size_t i = start;
  auto skip_spaces = [&] {
    while (i < s.size() && is_space(s[i])) ++i;
  };
  auto fail_to_brace = [&] {
    const std::size_t close = s.find('}', start);
    if (close == std::string_view::npos) return false;
    part.kind = TemplatePart::Kind::Invalid;
    end = close + 1;
    return true;
  };
  skip_spaces();
  const std::size_t key_begin = i;
  while (i < s.size() && s[i] != '}' && s[i] != ',' && !is_space(s[i])) ++i;
  const std::string_view key = s.substr(key_begin, i - key_begin);
  skip_spaces();
  if (i >= s.size()) return fail_to_brace();
  if (key.empty()) return fail_to_brace();
  if (s[i] == ',') {
    ++i;
    skip_spaces();
    if (i >= s.size() || s[i] != '\'') return fail_to_brace();
    ++i;
    std::string value;
    bool closed = false;
    while (i < s.size()) {
      if (s[i] == '\'') {
        if (i + 1 < s.size() && s[i + 1] == '\'') {
          value.push_back('\'');
          i += 2;
          continue;
        }
        ++i;
        closed = true;
        break;
      }
      value.push_back(s[i++]);
    }
    if (!closed) return fail_to_brace();
    skip_spaces();
    if (i >= s.size() || s[i] != '}') return fail_to_brace();
    part.has_default = true;
    part.plain = value;
    part.pattern = escape_literal(value);
  } else if (s[i] != '}') {
    return fail_to_brace();
  }
  end = i + 1;
  if (!part.has_default && (key == "*" || key == "?" || key == "$")) {
    // Escapes for characters that would otherwise be special.
    part.kind = TemplatePart::Kind::Text;
    part.plain = std::string(key);
    part.pattern = escape_literal(key);
    return true;
  }
  part.kind = TemplatePart::Kind::Variable;
  part.key = ascii_lower(key);
  return true;
}

}  // namespace

ValueTemplate compile_template(const std::string& raw, bool variables) {
  ValueTemplate t;
  t.plain = raw;
  t.pattern = escape_policy_text(raw);
  if (!variables || raw.find("${") == std::string::npos) return t;
  std::string_view s = raw;
  TemplatePart text;
  auto flush_text = [&] {
    if (!text.plain.empty()) t.parts.push_back(std::move(text));
    text = TemplatePart{};
  };
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      TemplatePart var;
      std::size_t end = 0;
      if (!read_variable(s, i + 2, var, end)) {
        // No '}' anywhere after: the rest is plain text (and scanning on
        // from every later "${" would be quadratic).
        text.plain.append(s.substr(i));
        text.pattern += escape_policy_text(s.substr(i));
        break;
      }
      if (var.kind == TemplatePart::Kind::Text) {
        text.plain += var.plain;
        text.pattern += var.pattern;
      } else {
        flush_text();
        t.parts.push_back(std::move(var));
      }
      i = end;
      continue;
    }
    text.plain.push_back(s[i]);
    text.pattern += escape_policy_text(s.substr(i, 1));
    ++i;
  }
  flush_text();
  // Only special-character escapes: fold back into a fixed value.
  if (t.parts.size() == 1 && t.parts[0].kind == TemplatePart::Kind::Text) {
    t.plain = std::move(t.parts[0].plain);
    t.pattern = std::move(t.parts[0].pattern);
    t.parts.clear();
  }
  return t;
}

namespace {

// ---------------------------------------------------------------------------
// Reading the JSON into the model. Every check here is a shape check; a
// false return refuses the whole policy.

bool scalar_text(const json& v, std::string& out) {
  if (v.is_string()) {
    out = v.get<std::string>();
    return true;
  }
  if (v.is_boolean()) {
    out = v.get<bool>() ? "true" : "false";
    return true;
  }
  if (v.is_number()) {
    out = v.dump();
    return true;
  }
  return false;
}

// A string or a non-empty list of strings.
bool read_strings(const json& v, std::vector<std::string>& out) {
  out.clear();
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return true;
  }
  if (!v.is_array() || v.empty()) return false;
  for (const auto& e : v) {
    if (!e.is_string()) return false;
    out.push_back(e.get<std::string>());
  }
  return true;
}

// "*", or an object of principal types each naming one or more principals
// (an empty list is allowed beside a non-empty one, as IAM allows it).
bool read_principal(const json& v, PrincipalSet& out) {
  if (v.is_string()) {
    out.everyone = v.get<std::string>() == "*";
    return out.everyone;
  }
  if (!v.is_object()) return false;
  bool any = false;
  for (const auto& [type, ids] : v.items()) {
    std::vector<std::string>* list = type == "AWS"             ? &out.aws
                                     : type == "Federated"     ? &out.federated
                                     : type == "Service"       ? &out.service
                                     : type == "CanonicalUser" ? &out.canonical_user
                                                               : nullptr;
    if (!list) return false;
    if (ids.is_array() && ids.empty()) continue;
    if (!read_strings(ids, *list)) return false;
    any = true;
  }
  return any;
}

bool read_conditions(const json& v, std::vector<Condition>& out) {
  if (!v.is_object()) return false;
  for (const auto& [op_name, block] : v.items()) {
    if (!block.is_object()) return false;
    const auto parsed = parse_condition_operator(op_name);
    if (!parsed) {
      // IAM accepts an unknown operator only with nothing under it.
      if (!block.empty()) return false;
      continue;
    }
    for (const auto& [key, values] : block.items()) {
      Condition c;
      c.operator_name = op_name;
      c.parsed = *parsed;
      c.key = key;
      std::string text;
      if (values.is_array()) {
        for (const auto& e : values) {
          if (!scalar_text(e, text)) return false;
          c.values.push_back(text);
        }
      } else {
        if (!scalar_text(values, text)) return false;
        c.values.push_back(text);
      }
      out.push_back(std::move(c));
    }
  }
  return true;
}

bool read_statement(const json& v, Statement& st) {
  if (!v.is_object()) return false;
  bool has_effect = false, has_action = false;
  for (const auto& [name, value] : v.items()) {
    if (name == "Sid") {
      if (!value.is_string()) return false;
      st.sid = value.get<std::string>();
    } else if (name == "Effect") {
      // Case-sensitive: IAM's legacy parser refuses "allow".
      if (!value.is_string()) return false;
      const auto& e = value.get_ref<const std::string&>();
      if (e != "Allow" && e != "Deny") return false;
      st.effect = e == "Allow" ? Effect::Allow : Effect::Deny;
      has_effect = true;
    } else if (name == "Action" || name == "NotAction") {
      if (has_action || !read_strings(value, st.actions)) return false;
      st.not_action = name == "NotAction";
      has_action = true;
    } else if (name == "Resource" || name == "NotResource") {
      if (st.has_resource || !read_strings(value, st.resources)) return false;
      st.not_resource = name == "NotResource";
      st.has_resource = true;
    } else if (name == "Principal" || name == "NotPrincipal") {
      if (st.has_principal || !read_principal(value, st.principals)) return false;
      st.not_principal = name == "NotPrincipal";
      st.has_principal = true;
    } else if (name == "Condition") {
      if (!read_conditions(value, st.conditions)) return false;
    } else {
      return false;
    }
  }
  // Trust and resource policies name a Principal, identity and session
  // policies a Resource; a statement with neither belongs to no policy type.
  return has_effect && has_action && (st.has_principal || st.has_resource);
}

}  // namespace

std::optional<Policy::Impl> read_policy(std::string_view text) {
  if (json_nesting_depth(text) > kMaxJsonDepth) return std::nullopt;
  const json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  Policy::Impl impl;
  const json* statements = nullptr;
  for (const auto& [name, value] : doc.items()) {
    if (name == "Version") {
      if (!value.is_string()) return std::nullopt;
      impl.version = value.get<std::string>();
      if (impl.version != kVersion2012 && impl.version != kVersion2008) return std::nullopt;
    } else if (name == "Id") {
      if (!value.is_string()) return std::nullopt;
    } else if (name == "Statement") {
      statements = &value;
    } else {
      return std::nullopt;
    }
  }
  if (!statements) return std::nullopt;
  if (statements->is_object()) {
    impl.statements.emplace_back();
    if (!read_statement(*statements, impl.statements.back())) return std::nullopt;
  } else if (statements->is_array()) {
    for (const auto& s : *statements) {
      impl.statements.emplace_back();
      if (!read_statement(s, impl.statements.back())) return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  // Policy variables exist from language version 2012-10-17 on; before that
  // "${...}" is literal text.
  const bool variables = impl.version == kVersion2012;
  for (const auto& st : impl.statements) {
    CompiledStatement cs;
    for (const auto& r : st.resources) {
      cs.resources.push_back(compile_template(r, variables));
      cs.dynamic_resources |= cs.resources.back().dynamic();
    }
    for (const auto& c : st.conditions) {
      CompiledCondition cc;
      cc.parsed = c.parsed;
      cc.key_lower = ascii_lower(c.key);
      const bool substitute = variables && c.parsed.op != ConditionOperator::Null;
      for (const auto& v : c.values) {
        cc.values.push_back(compile_template(v, substitute));
        cc.dynamic |= cc.values.back().dynamic();
      }
      cs.conditions.push_back(std::move(cc));
    }
    impl.compiled.push_back(std::move(cs));
  }
  return impl;
}

}  // namespace policy_detail

using policy_detail::kOperators;
using policy_detail::read_policy;

std::optional<ParsedConditionOperator> parse_condition_operator(std::string_view name) {
  ParsedConditionOperator out;
  constexpr std::string_view kAny = "ForAnyValue:", kAll = "ForAllValues:", kIfExists = "IfExists";
  if (name.substr(0, kAny.size()) == kAny) {
    out.set = SetOperator::ForAnyValue;
    name.remove_prefix(kAny.size());
  } else if (name.substr(0, kAll.size()) == kAll) {
    out.set = SetOperator::ForAllValues;
    name.remove_prefix(kAll.size());
  }
  if (name.size() > kIfExists.size() && name.substr(name.size() - kIfExists.size()) == kIfExists) {
    out.if_exists = true;
    name.remove_suffix(kIfExists.size());
  }
  for (const auto& entry : kOperators) {
    if (entry.name == name) {
      out.op = entry.op;
      // "...IfExists" exists for every operator except Null.
      if (out.op == ConditionOperator::Null && out.if_exists) return std::nullopt;
      return out;
    }
  }
  return std::nullopt;
}

std::optional<Policy> Policy::parse(std::string_view json_text) {
  try {
    auto impl = read_policy(json_text);
    if (!impl) return std::nullopt;
    return Policy(std::make_shared<const Impl>(std::move(*impl)));
  } catch (...) {
    // Shape checks precede every typed access, so nothing should throw; if
    // anything does (allocation), the text is refused rather than crashing.
    return std::nullopt;
  }
}

}  // namespace stsd::domain
