// Virtual MFA devices: create, list, enable (assign to a user), deactivate,
// resync, delete (docs/IAM-BEHAVIOUR.md section 5.6). An enabled device is
// the user's MfaDevice too, which GetSessionToken and AssumeRole check.
#include "principals.h"

#include <map>

#include "stsd/crypto/crypto.h"
#include "stsd/domain/totp.h"

namespace stsd::service::iam {

namespace {

inline constexpr std::size_t kSeedBytes = 20;

Unexpected<StsError> no_such_device(std::string_view serial) {
  return no_such_entity("MFA Device with serial number " + std::string(serial) + " does not exist.");
}

// Two consecutive TOTP codes of `secret` (code2 the step after code1).
Result<void> check_codes(std::string_view secret, std::string_view code1, std::string_view code2,
                         domain::Seconds now) {
  auto first = domain::totp_matching_step(secret, code1, now);
  auto second = domain::totp_matching_step(secret, code2, now);
  if (!first || !second || *second != *first + 1)
    return fail(ErrorCode::InvalidAuthenticationCode, "Authentication code for device is not valid.");
  return {};
}

struct Assignment {
  const domain::User* user = nullptr;
  domain::Seconds enable_date = 0;
};

// Which user each serial of the account is assigned to.
std::map<std::string, Assignment, std::less<>> assignments(const domain::Store& store, std::string_view account) {
  std::map<std::string, Assignment, std::less<>> out;
  store.for_each_user([&](const domain::User& u) {
    if (u.account != account) return;
    for (const domain::MfaDevice& d : u.mfa_devices) out[d.serial] = Assignment{&u, d.enable_date};
  });
  return out;
}

const domain::MfaDevice* find_device(const domain::User& user, std::string_view serial) {
  for (const domain::MfaDevice& d : user.mfa_devices)
    if (d.serial == serial) return &d;
  return nullptr;
}

}  // namespace

Result<CreateVirtualMFADeviceResponse> create_virtual_mfa_device(const CreateVirtualMFADeviceRequest& req,
                                                                 const Context& ctx) {
  const std::string path = req.Path.value_or("/");
  if (path.empty() || path.front() != '/' || path.back() != '/')
    return validation_error(
        "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric "
        "characters and/or / characters.");
  auto tags = new_tags(req.Tags);
  if (!tags) return unexpected(tags.error());
  return ctx.store.update<CreateVirtualMFADeviceResponse>(
      [&](domain::StoreEditor& editor) -> Result<CreateVirtualMFADeviceResponse> {
        domain::VirtualMfaDevice device;
        device.account = ctx.account;
        device.serial = entity_arn(ctx.account, "mfa", path, req.VirtualMFADeviceName);
        if (editor.view().find_virtual_mfa_device(device.serial) != nullptr)
          return already_exists("MFA device already exists.");
        device.secret = crypto::random_bytes(kSeedBytes);
        device.create_date = ctx.clock.now();
        device.tags = std::move(*tags);
        VirtualMFADevice out;
        out.SerialNumber = device.serial;
        // A blob: the ASCII base32 seed, base64-encoded on the wire. No
        // QRCodePNG: stsd has no PNG encoder.
        out.Base32StringSeed = Blob{crypto::base32_encode(device.secret)};
        out.Tags = tags_shape(device.tags);
        editor.put_virtual_mfa_device(std::move(device));
        return CreateVirtualMFADeviceResponse{std::move(out)};
      });
}

Result<ListVirtualMFADevicesResponse> list_virtual_mfa_devices(const ListVirtualMFADevicesRequest& req,
                                                               const Context& ctx) {
  const std::string status = req.AssignmentStatus.value_or("Any");
  if (status != "Any" && status != "Assigned" && status != "Unassigned")
    return validation_error(
        "1 validation error detected: Value at 'assignmentStatus' failed to satisfy constraint: Member must satisfy "
        "enum value set");
  auto assigned = assignments(ctx.snapshot, ctx.account);
  std::vector<const domain::VirtualMfaDevice*> devices;
  ctx.snapshot.for_each_virtual_mfa_device([&](const domain::VirtualMfaDevice& d) {
    if (d.account != ctx.account) return;
    const bool is_assigned = assigned.contains(d.serial);
    if (status == "Any" || (status == "Assigned") == is_assigned) devices.push_back(&d);
  });
  auto page = paginate(std::move(devices), [](const domain::VirtualMfaDevice* d) { return d->serial; }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  ListVirtualMFADevicesResponse out;
  for (const domain::VirtualMfaDevice* d : page->items) {
    VirtualMFADevice v;
    v.SerialNumber = d->serial;
    if (auto it = assigned.find(d->serial); it != assigned.end()) {
      v.User = user_shape(*it->second.user, false);
      v.EnableDate = Timestamp{it->second.enable_date};
    }
    out.VirtualMFADevices.push_back(std::move(v));
  }
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<EnableMFADeviceResponse> enable_mfa_device(const EnableMFADeviceRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store& store, domain::User& user) -> Result<void> {
    const domain::VirtualMfaDevice* device = store.find_virtual_mfa_device(req.SerialNumber);
    if (device == nullptr || device->account != ctx.account) return no_such_device(req.SerialNumber);
    if (assignments(store, ctx.account).contains(device->serial)) return already_exists("MFA Device is already in use.");
    if (auto codes = check_codes(device->secret, req.AuthenticationCode1, req.AuthenticationCode2, ctx.clock.now());
        !codes)
      return codes;
    user.mfa_devices.push_back(domain::MfaDevice{device->serial, device->secret, ctx.clock.now()});
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return EnableMFADeviceResponse{};
}

Result<DeactivateMFADeviceResponse> deactivate_mfa_device(const DeactivateMFADeviceRequest& req,
                                                          const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto found = user_or_caller(ctx, editor.view(), req.UserName);
    if (!found) return unexpected(found.error());
    // The root has no MFA devices in stsd.
    if (*found == nullptr || find_device(**found, req.SerialNumber) == nullptr)
      return no_such_device(req.SerialNumber);
    domain::User user = **found;
    std::erase_if(user.mfa_devices, [&](const domain::MfaDevice& d) { return d.serial == req.SerialNumber; });
    editor.put_user(std::move(user));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeactivateMFADeviceResponse{};
}

Result<ListMFADevicesResponse> list_mfa_devices(const ListMFADevicesRequest& req, const Context& ctx) {
  auto user = user_or_caller(ctx, ctx.snapshot, req.UserName);
  if (!user) return unexpected(user.error());
  std::vector<MFADevice> devices;
  if (*user != nullptr)
    for (const domain::MfaDevice& d : (*user)->mfa_devices)
      devices.push_back(MFADevice{(*user)->name, d.serial, Timestamp{d.enable_date}});
  auto page = paginate(std::move(devices), [](const MFADevice& d) { return d.SerialNumber; }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  return ListMFADevicesResponse{std::move(page->items), page->is_truncated, page->marker};
}

Result<ResyncMFADeviceResponse> resync_mfa_device(const ResyncMFADeviceRequest& req, const Context& ctx) {
  auto user = existing_user(ctx.snapshot, ctx, req.UserName);
  if (!user) return unexpected(user.error());
  const domain::MfaDevice* device = find_device(*user, req.SerialNumber);
  if (device == nullptr) return no_such_device(req.SerialNumber);
  // stsd's clock needs no resynchronising: the codes are only checked.
  if (auto codes = check_codes(device->secret, req.AuthenticationCode1, req.AuthenticationCode2, ctx.clock.now());
      !codes)
    return unexpected(codes.error());
  return ResyncMFADeviceResponse{};
}

Result<DeleteVirtualMFADeviceResponse> delete_virtual_mfa_device(const DeleteVirtualMFADeviceRequest& req,
                                                                 const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    const domain::VirtualMfaDevice* device = editor.view().find_virtual_mfa_device(req.SerialNumber);
    if (device == nullptr || device->account != ctx.account) return no_such_device(req.SerialNumber);
    // AWS's text is unknown (section 2.4): it must be deactivated first.
    if (assignments(editor.view(), ctx.account).contains(device->serial))
      return delete_conflict("MFA Device is still in use.");
    editor.erase_virtual_mfa_device(req.SerialNumber);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteVirtualMFADeviceResponse{};
}

}  // namespace stsd::service::iam
