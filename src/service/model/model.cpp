#include "stsd/service/model.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "code_points.h"
#include "model_tables.h"

namespace stsd::service {

namespace {

using model_detail::MemberSpec;
using model_detail::OperationSpec;
using model_detail::ShapeKind;
using model_detail::ServiceSpec;
using model_detail::ShapeSpec;


constexpr std::string_view kMissingDecimal = "missing value for decimal type";

// --- Decoding: flattened Query parameters -> InputValue tree ----------------

// Java's Integer/Long.parseInt rules: optional sign, ASCII digits (leading
// zeros allowed), nothing else, within [low, high].
Result<std::int64_t> parse_integer(std::string_view text, std::int64_t low, std::int64_t high) {
  if (text.empty()) return fail(ErrorCode::MalformedInput, std::string(kMissingDecimal));
  const auto malformed = [] { return unexpected(StsError::without_message(ErrorCode::MalformedInput)); };
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (text[0] == '+' || text[0] == '-') i = 1;
  if (i == text.size()) return malformed();
  // Magnitude limit: |low| for negatives (one more than high for two's complement).
  const std::uint64_t limit = negative ? static_cast<std::uint64_t>(-(low + 1)) + 1 : static_cast<std::uint64_t>(high);
  std::uint64_t magnitude = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return malformed();
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) return malformed();
    magnitude = magnitude * 10 + digit;
  }
  if (!negative) return static_cast<std::int64_t>(magnitude);
  // Negate via (magnitude - 1) so the most negative value does not overflow.
  return magnitude == 0 ? 0 : -static_cast<std::int64_t>(magnitude - 1) - 1;
}

// A list index as sent by SDKs: a positive decimal without leading zeros.
std::optional<std::size_t> parse_index(std::string_view digits) {
  if (digits.empty() || digits.size() > 9 || digits[0] == '0') return std::nullopt;
  std::size_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

std::string join_key(std::string_view prefix, std::string_view name) {
  std::string key;
  key.reserve(prefix.size() + 1 + name.size());
  key.append(prefix).append(1, '.').append(name);
  return key;
}

class Decoder {
 public:
  Decoder(const ServiceSpec& service, const Parameters& params) : service_(service), params_(params) {}

  // nullopt when nothing under `key` was sent.
  Result<std::optional<InputValue>> decode(const ShapeSpec& shape, std::string_view key) {
    switch (shape.kind) {
      case ShapeKind::String:
      case ShapeKind::Timestamp: {
        const std::string* raw = params_.find(key);
        if (raw == nullptr) return std::optional<InputValue>();
        return std::optional<InputValue>(InputValue::make_string(*raw));
      }
      case ShapeKind::Integer:
      case ShapeKind::Long: {
        const std::string* raw = params_.find(key);
        if (raw == nullptr) return std::optional<InputValue>();
        const bool is_long = shape.kind == ShapeKind::Long;
        auto number = parse_integer(*raw, is_long ? INT64_MIN : INT32_MIN, is_long ? INT64_MAX : INT32_MAX);
        if (!number) return unexpected(std::move(number).error());
        return std::optional<InputValue>(InputValue::make_integer(*number));
      }
      case ShapeKind::Boolean: {
        const std::string* raw = params_.find(key);
        if (raw == nullptr) return std::optional<InputValue>();
        if (*raw != "true" && *raw != "false")
          return unexpected(StsError::without_message(ErrorCode::MalformedInput));
        return std::optional<InputValue>(InputValue::make_boolean(*raw == "true"));
      }
      case ShapeKind::List:
        return decode_list(shape, key);
      case ShapeKind::Structure:
        return decode_structure(shape, key, false);
    }
    return std::optional<InputValue>();
  }

  // The root structure has an empty key: its members are the top-level names.
  Result<std::optional<InputValue>> decode_structure(const ShapeSpec& shape, std::string_view key,
                                                     bool always_present) {
    InputValue value = InputValue::make_structure();
    bool any = false;
    for (const MemberSpec& m : shape.members) {
      auto member = key.empty() ? decode(shape_at(m.shape), m.name) : decode(shape_at(m.shape), join_key(key, m.name));
      if (!member) return unexpected(std::move(member).error());
      if (!*member) continue;
      value.add_member(m.name, std::move(**member));
      any = true;
    }
    if (!any && !always_present) return std::optional<InputValue>();
    return std::optional<InputValue>(std::move(value));
  }

 private:
  // Name.member.N[.Sub] for every N sent, in numeric order. `Name=` alone (any
  // value) is botocore's encoding of an empty list.
  Result<std::optional<InputValue>> decode_list(const ShapeSpec& shape, std::string_view key) {
    const ShapeSpec& item_shape = shape_at(shape.member_shape);
    const bool structured = item_shape.kind == ShapeKind::Structure;
    constexpr std::string_view kMember = ".member.";
    std::vector<std::size_t> indices;
    for (const auto& [name, value] : params_.items()) {
      const std::string_view n = name;
      if (n.size() <= key.size() + kMember.size() || !n.starts_with(key) ||
          n.compare(key.size(), kMember.size(), kMember) != 0)
        continue;
      std::string_view rest = n.substr(key.size() + kMember.size());
      const std::size_t dot = rest.find('.');
      // Scalar items are exactly Name.member.N; structure items have a sub-name.
      if (structured ? dot == std::string_view::npos : dot != std::string_view::npos) continue;
      if (auto n = parse_index(rest.substr(0, dot))) indices.push_back(*n);
    }
    if (indices.empty() && !params_.contains(key)) return std::optional<InputValue>();
    std::sort(indices.begin(), indices.end());
    indices.erase(std::unique(indices.begin(), indices.end()), indices.end());

    std::vector<InputValue> items;
    items.reserve(indices.size());
    for (std::size_t n : indices) {
      const std::string item_key = join_key(join_key(key, "member"), std::to_string(n));
      // A structure item exists once any Name.member.N.* was sent, even if
      // none of its members are known: its required members then read as null.
      auto item = structured ? decode_structure(item_shape, item_key, true) : decode(item_shape, item_key);
      if (!item) return unexpected(std::move(item).error());
      if (*item) items.push_back(std::move(**item));
    }
    return std::optional<InputValue>(InputValue::make_list(std::move(items)));
  }

  const ShapeSpec& shape_at(std::uint16_t index) const { return service_.shapes[index]; }

  const ServiceSpec& service_;
  const Parameters& params_;
};

// --- Validation: model constraints -> Coral-style clauses --------------------

// Coral names a member by its wire name with the first letter lowercased
// (RoleArn -> roleArn, SAMLAssertion -> sAMLAssertion).
std::string coral_name(std::string_view member) {
  std::string out(member);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

// Where a value sits, as Coral prints it (policyArns.1.member.arn); spelled
// out only when a clause needs it, since valid input is the common case.
struct Path {
  const Path* parent = nullptr;
  std::string_view member;  // a structure member's wire name, or
  std::size_t item = 0;     // a list item's 1-based index

  std::string text() const {
    if (parent == nullptr) return {};
    std::string out = parent->text();
    if (!member.empty()) {
      if (!out.empty()) out += '.';
      out += coral_name(member);
    } else {
      out += '.' + std::to_string(item) + ".member";
    }
    return out;
  }
};

class Validator {
 public:
  explicit Validator(const ServiceSpec& service) : service_(service) {}

  void structure(const ShapeSpec& shape, const InputValue& value, const Path& path) {
    for (const MemberSpec& m : shape.members) {
      const Path member_path{&path, m.name};
      const InputValue* member = value.find(m.name);
      if (member == nullptr) {
        if (m.required)
          clauses_.push_back("Value null at '" + member_path.text() + "' failed to satisfy constraint: Member must not be null");
        continue;
      }
      check(shape_at(m.shape), *member, member_path);
    }
  }

  std::vector<std::string> take_clauses() { return std::move(clauses_); }

 private:
  void check(const ShapeSpec& shape, const InputValue& value, const Path& path) {
    switch (shape.kind) {
      case ShapeKind::String:
      case ShapeKind::Timestamp:
        check_string(shape, value, path);
        break;
      case ShapeKind::Integer:
      case ShapeKind::Long:
        check_number(shape, value, path);
        break;
      case ShapeKind::Boolean:
        break;
      case ShapeKind::List:
        check_list(shape, value, path);
        break;
      case ShapeKind::Structure:
        structure(shape, value, path);
        break;
    }
  }

  void check_string(const ShapeSpec& shape, const InputValue& value, const Path& path) {
    const std::string_view text = value.as_string().value_or(std::string_view());
    // Sensitive values are left out of the message, as AWS does
    // ("Value at 'webIdentityToken' failed to satisfy constraint: ...").
    const auto subject = [&] {
      return shape.sensitive || !service_.echo_values ? std::string("Value") : "Value '" + std::string(text) + "'";
    };
    const auto facts = model_detail::scan_text(text, shape.pattern);
    // Pattern before length: the order AWS returns most of the time.
    if (!facts.matches_pattern)
      add(subject(), path, "satisfy regular expression pattern: " + std::string(shape.pattern->source));
    if (!shape.enum_values.empty() &&
        std::find(shape.enum_values.begin(), shape.enum_values.end(), text) == shape.enum_values.end())
      add(subject(), path, service_.echo_values ? "satisfy enum value set: " + enum_set(shape) : "satisfy enum value set");
    const auto length = static_cast<std::int64_t>(facts.length);
    if (shape.min && length < *shape.min)
      add(subject(), path, "have length greater than or equal to " + std::to_string(*shape.min));
    if (shape.max && length > *shape.max)
      add(subject(), path, "have length less than or equal to " + std::to_string(*shape.max));
  }

  void check_number(const ShapeSpec& shape, const InputValue& value, const Path& path) {
    const std::int64_t number = value.as_integer().value_or(0);
    // Coral prints the parsed number ("+900" would read '900').
    const auto subject = [&] {
      return service_.echo_values ? "Value '" + std::to_string(number) + "'" : std::string("Value");
    };
    if (shape.min && number < *shape.min)
      add(subject(), path, "have value greater than or equal to " + std::to_string(*shape.min));
    if (shape.max && number > *shape.max)
      add(subject(), path, "have value less than or equal to " + std::to_string(*shape.max));
  }

  void check_list(const ShapeSpec& shape, const InputValue& value, const Path& path) {
    const auto items = value.items();
    const auto count = static_cast<std::int64_t>(items.size());
    // Collections are not echoed ("Value at 'tags' failed ..."), as IAM/STS do.
    if (shape.min && count < *shape.min)
      add("Value", path, "have length greater than or equal to " + std::to_string(*shape.min));
    if (shape.max && count > *shape.max)
      add("Value", path, "have length less than or equal to " + std::to_string(*shape.max));
    const ShapeSpec& item_shape = shape_at(shape.member_shape);
    for (std::size_t i = 0; i < items.size(); ++i) check(item_shape, items[i], Path{&path, {}, i + 1});
  }

  static std::string enum_set(const ShapeSpec& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.enum_values.size(); ++i) {
      if (i > 0) out += ", ";
      out += shape.enum_values[i];
    }
    return out + "]";
  }

  void add(const std::string& subject, const Path& path, const std::string& constraint) {
    clauses_.push_back(subject + " at '" + path.text() + "' failed to satisfy constraint: Member must " + constraint);
  }

  const ShapeSpec& shape_at(std::uint16_t index) const { return service_.shapes[index]; }

  const ServiceSpec& service_;
  std::vector<std::string> clauses_;
};

std::string validation_message(const std::vector<std::string>& clauses) {
  std::string message = std::to_string(clauses.size());
  message += clauses.size() == 1 ? " validation error detected: " : " validation errors detected: ";
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    if (i > 0) message += "; ";
    message += clauses[i];
  }
  return message;
}

}  // namespace

std::string_view OperationModel::name() const { return spec_->name; }

bool OperationModel::requires_signature() const { return !spec_->no_auth; }

Result<ActionInput> OperationModel::validate(const Parameters& params) const {
  if (spec_->input_shape == model_detail::kNoInput) return ActionInput();
  const ShapeSpec& input_shape = service_->shapes[spec_->input_shape];
  Decoder decoder(*service_, params);
  auto decoded = decoder.decode_structure(input_shape, std::string_view(), true);
  if (!decoded) return unexpected(std::move(decoded).error());
  InputValue root = std::move(**decoded);

  Validator validator(*service_);
  validator.structure(input_shape, root, Path{});
  const auto clauses = validator.take_clauses();
  if (!clauses.empty()) return fail(ErrorCode::ValidationError, validation_message(clauses));
  return ActionInput(std::move(root));
}

const ServiceInfo& service_info(Service service) {
  static const auto info_of = [](const ServiceSpec& spec) {
    return ServiceInfo{spec.signing_name, spec.api_version, spec.xml_namespace};
  };
  static const ServiceInfo sts = info_of(model_detail::sts_service());
  static const ServiceInfo iam = info_of(model_detail::iam_service());
  return service == Service::Iam ? iam : sts;
}

const OperationModel* find_operation(Service service, std::string_view name) {
  // Every operation's model, made once and never moved (the index points into it).
  static const auto build = [](const ServiceSpec& spec) {
    std::vector<OperationModel> out;
    for (const OperationSpec& op : spec.operations) out.emplace_back(spec, op);
    return out;
  };
  static const std::vector<OperationModel> sts_models = build(model_detail::sts_service());
  static const std::vector<OperationModel> iam_models = build(model_detail::iam_service());
  // IAM has 176 operations: a hash lookup rather than a scan.
  static const auto index = [](const std::vector<OperationModel>& models) {
    std::unordered_map<std::string_view, const OperationModel*> out;
    for (const OperationModel& op : models) out.emplace(op.name(), &op);
    return out;
  };
  static const auto sts = index(sts_models);
  static const auto iam = index(iam_models);
  const auto& table = service == Service::Iam ? iam : sts;
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

}  // namespace stsd::service
