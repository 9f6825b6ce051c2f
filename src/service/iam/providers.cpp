// Identity providers: OIDC (docs/IAM-BEHAVIOUR.md section 5.7) and SAML
// (section 5.8). A provider IAM creates serves AssumeRoleWithWebIdentity /
// AssumeRoleWithSAML at once: an OIDC provider whose URL is the built-in
// issuer's verifies with stsd's own keys; a SAML provider trusts the signing
// certificates of the metadata it was created from.
#include "common.h"

#include <variant>

#include "stsd/crypto/crypto.h"
#include "stsd/domain/arn.h"
#include "stsd/domain/federation/saml_metadata.h"

namespace stsd::service::iam {

namespace {

// --- Shared ------------------------------------------------------------------------

std::vector<Tag> all_tags(const std::vector<domain::Tag>& tags) { return tags_shape(tags).value_or(std::vector<Tag>{}); }

// --- OIDC --------------------------------------------------------------------------

inline constexpr std::size_t kMaxThumbprints = 5;
inline constexpr std::size_t kMaxClientIds = 100;
// The built-in issuer's URL when the config declares none (default_config.cpp).
inline constexpr std::string_view kDefaultBuiltinIssuer = "https://oidc.stsd.local";

Unexpected<StsError> no_such_oidc(std::string_view arn) {
  return no_such_entity("OpenIDConnect Provider not found for arn " + std::string(arn));
}

// https://host[/path], no query or fragment (section 5.7).
Result<void> check_oidc_url(std::string_view url) {
  constexpr std::string_view scheme = "https://";
  if (!url.starts_with(scheme) || url.size() == scheme.size() || url[scheme.size()] == '/' ||
      url.find_first_of("?# ") != std::string_view::npos)
    return validation_error("Invalid Open ID Connect Provider URL");
  return {};
}

Result<void> check_thumbprints(const std::vector<std::string>& thumbprints) {
  if (thumbprints.size() > kMaxThumbprints) return invalid_input("Thumbprint list must contain fewer than 5 entries.");
  return {};
}

Unexpected<StsError> too_many_client_ids() {
  return limit_exceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: " + std::to_string(kMaxClientIds));
}

// The caller's account's provider named by `arn`.
Result<domain::OidcProvider> existing_oidc(const domain::Store& store, const Context& ctx, std::string_view arn) {
  const domain::OidcProvider* p = store.find_oidc_provider_by_arn(arn);
  if (p == nullptr || p->account != ctx.account) return no_such_oidc(arn);
  return *p;
}

template <class Edit>
Result<void> change_oidc(const Context& ctx, std::string_view arn, Edit edit) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto provider = existing_oidc(editor.view(), ctx, arn);
    if (!provider) return unexpected(provider.error());
    if (auto ok = edit(*provider); !ok) return unexpected(ok.error());
    editor.put_oidc_provider(std::move(*provider));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return {};
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// --- SAML --------------------------------------------------------------------------

// A century after creation when the metadata has no validUntil (AWS always
// shows one; how it derives it is unknown, section 5.8).
inline constexpr std::int64_t kDefaultSamlValidity = 100LL * 365 * 24 * 3600;

Unexpected<StsError> no_such_saml(std::string_view arn) {
  return no_such_entity("Manifest not found for arn " + std::string(arn));
}

Result<domain::SamlProvider> existing_saml(const domain::Store& store, const Context& ctx, std::string_view arn) {
  const domain::SamlProvider* p = store.find_saml_provider(arn);
  if (p == nullptr || p->account != ctx.account) return no_such_saml(arn);
  return *p;
}

template <class Edit>
Result<void> change_saml(const Context& ctx, std::string_view arn, Edit edit) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto provider = existing_saml(editor.view(), ctx, arn);
    if (!provider) return unexpected(provider.error());
    if (auto ok = edit(*provider); !ok) return unexpected(ok.error());
    editor.put_saml_provider(std::move(*provider));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return {};
}

// The metadata must be SAML 2.0 IdP metadata stsd can take trust anchors from.
Result<void> check_metadata(std::string_view xml) {
  if (auto parsed = domain::federation::parse_saml_metadata(xml); !parsed)
    return invalid_input("Could not parse metadata: " + parsed.error());
  return {};
}

// The EntityDescriptor's validUntil, else a century after creation.
std::int64_t saml_valid_until(const domain::SamlProvider& p) {
  if (p.metadata) {
    const std::string& xml = *p.metadata;
    constexpr std::string_view attr = "validUntil=";
    if (auto at = xml.find(attr); at != std::string::npos && at + attr.size() < xml.size()) {
      const char quote = xml[at + attr.size()];
      const std::size_t start = at + attr.size() + 1;
      if (auto end = xml.find(quote, start); (quote == '"' || quote == '\'') && end != std::string::npos)
        if (auto when = domain::parse_policy_date(std::string_view(xml).substr(start, end - start)))
          return when->seconds;
    }
  }
  return p.create_date + kDefaultSamlValidity;
}

// SAMLProviderUUID: 26 of [A-Z0-9], stable for one provider (its ARN and
// creation time).
std::string saml_uuid(const domain::SamlProvider& p) {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const std::string digest = crypto::sha256(p.arn + "\n" + std::to_string(p.create_date));
  std::string out;
  for (std::size_t i = 0; i < 26; ++i) out += alphabet[static_cast<unsigned char>(digest[i]) % alphabet.size()];
  return out;
}

}  // namespace

// --- OIDC actions ------------------------------------------------------------------

Result<CreateOpenIDConnectProviderResponse> create_open_id_connect_provider(const CreateOpenIDConnectProviderRequest& req, const Context& ctx) {
  if (auto ok = check_oidc_url(req.Url); !ok) return unexpected(ok.error());
  const std::vector<std::string> thumbprints = req.ThumbprintList.value_or(std::vector<std::string>{});
  if (auto ok = check_thumbprints(thumbprints); !ok) return unexpected(ok.error());
  std::vector<std::string> client_ids;
  for (const auto& id : req.ClientIDList.value_or(std::vector<std::string>{})) add_unique(client_ids, id);
  if (client_ids.size() > kMaxClientIds) return too_many_client_ids();
  auto tags = new_tags(req.Tags);
  if (!tags) return unexpected(tags.error());
  return ctx.store.update<CreateOpenIDConnectProviderResponse>(
      [&](domain::StoreEditor& editor) -> Result<CreateOpenIDConnectProviderResponse> {
        const domain::Store& store = editor.view();
        const std::string arn = domain::oidc_provider_arn(ctx.account, domain::oidc_url_key(req.Url));
        if (store.find_oidc_provider_by_arn(arn) != nullptr)
          return already_exists("Provider with url " + req.Url + " already exists.");
        const domain::OidcProvider* builtin = store.builtin_oidc_provider();
        domain::OidcProvider p;
        p.account = ctx.account;
        p.url = req.Url;
        p.client_ids = client_ids;
        p.thumbprints = thumbprints;
        p.create_date = ctx.clock.now();
        p.tags = *tags;
        // The built-in issuer's URL: its tokens verify with stsd's own keys.
        p.builtin = req.Url == (builtin != nullptr ? std::string_view(builtin->url) : kDefaultBuiltinIssuer);
        const domain::OidcProvider& put = editor.put_oidc_provider(std::move(p));
        return CreateOpenIDConnectProviderResponse{put.arn, tags_shape(put.tags)};
      });
}

Result<GetOpenIDConnectProviderResponse> get_open_id_connect_provider(const GetOpenIDConnectProviderRequest& req,
                                                                     const Context& ctx) {
  auto p = existing_oidc(ctx.snapshot, ctx, req.OpenIDConnectProviderArn);
  if (!p) return unexpected(p.error());
  GetOpenIDConnectProviderResponse out;
  out.Url = p->key;
  out.ClientIDList = p->client_ids;
  out.ThumbprintList = p->thumbprints;
  out.CreateDate = Timestamp{p->create_date};
  out.Tags = all_tags(p->tags);
  return out;
}

Result<ListOpenIDConnectProvidersResponse> list_open_id_connect_providers(const ListOpenIDConnectProvidersRequest&,
                                                                          const Context& ctx) {
  std::vector<std::string> arns;
  ctx.snapshot.for_each_oidc_provider([&](const domain::OidcProvider& p) {
    if (p.account == ctx.account) arns.push_back(p.arn);
  });
  std::sort(arns.begin(), arns.end());
  ListOpenIDConnectProvidersResponse out;
  out.OpenIDConnectProviderList.emplace();
  for (auto& arn : arns) out.OpenIDConnectProviderList->push_back(OpenIDConnectProviderListEntry{std::move(arn)});
  return out;
}

Result<DeleteOpenIDConnectProviderResponse> delete_open_id_connect_provider(const DeleteOpenIDConnectProviderRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    const domain::OidcProvider* p = editor.view().find_oidc_provider_by_arn(req.OpenIDConnectProviderArn);
    if (p == nullptr || p->account != ctx.account)
      return no_such_entity("OpenId connect Provider " + req.OpenIDConnectProviderArn + " cannot be found.");
    editor.erase_oidc_provider(req.OpenIDConnectProviderArn);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteOpenIDConnectProviderResponse{};
}

Result<UpdateOpenIDConnectProviderThumbprintResponse> update_open_id_connect_provider_thumbprint(const UpdateOpenIDConnectProviderThumbprintRequest& req, const Context& ctx) {
  if (auto ok = check_thumbprints(req.ThumbprintList); !ok) return unexpected(ok.error());
  auto ok = change_oidc(ctx, req.OpenIDConnectProviderArn, [&](domain::OidcProvider& p) -> Result<void> {
    p.thumbprints = req.ThumbprintList;
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UpdateOpenIDConnectProviderThumbprintResponse{};
}

Result<AddClientIDToOpenIDConnectProviderResponse> add_client_id_to_open_id_connect_provider(const AddClientIDToOpenIDConnectProviderRequest& req, const Context& ctx) {
  auto ok = change_oidc(ctx, req.OpenIDConnectProviderArn, [&](domain::OidcProvider& p) -> Result<void> {
    if (std::find(p.client_ids.begin(), p.client_ids.end(), req.ClientID) != p.client_ids.end()) return {};
    if (p.client_ids.size() >= kMaxClientIds) return too_many_client_ids();
    p.client_ids.push_back(req.ClientID);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return AddClientIDToOpenIDConnectProviderResponse{};
}

Result<RemoveClientIDFromOpenIDConnectProviderResponse> remove_client_id_from_open_id_connect_provider(const RemoveClientIDFromOpenIDConnectProviderRequest& req, const Context& ctx) {
  auto ok = change_oidc(ctx, req.OpenIDConnectProviderArn, [&](domain::OidcProvider& p) -> Result<void> {
    std::erase(p.client_ids, req.ClientID);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return RemoveClientIDFromOpenIDConnectProviderResponse{};
}

Result<TagOpenIDConnectProviderResponse> tag_open_id_connect_provider(const TagOpenIDConnectProviderRequest& req,
                                                                      const Context& ctx) {
  auto ok = change_oidc(ctx, req.OpenIDConnectProviderArn,
                        [&](domain::OidcProvider& p) { return merge_tags(p.tags, req.Tags); });
  if (!ok) return unexpected(ok.error());
  return TagOpenIDConnectProviderResponse{};
}

Result<UntagOpenIDConnectProviderResponse> untag_open_id_connect_provider(const UntagOpenIDConnectProviderRequest& req, const Context& ctx) {
  auto ok = change_oidc(ctx, req.OpenIDConnectProviderArn, [&](domain::OidcProvider& p) -> Result<void> {
    remove_tags(p.tags, req.TagKeys);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UntagOpenIDConnectProviderResponse{};
}

Result<ListOpenIDConnectProviderTagsResponse> list_open_id_connect_provider_tags(const ListOpenIDConnectProviderTagsRequest& req, const Context& ctx) {
  auto p = existing_oidc(ctx.snapshot, ctx, req.OpenIDConnectProviderArn);
  if (!p) return unexpected(p.error());
  return tags_page<ListOpenIDConnectProviderTagsResponse>(p->tags, req.Marker, req.MaxItems);
}

// --- SAML actions ------------------------------------------------------------------

Result<CreateSAMLProviderResponse> create_saml_provider(const CreateSAMLProviderRequest& req, const Context& ctx) {
  if (auto ok = check_metadata(req.SAMLMetadataDocument); !ok) return unexpected(ok.error());
  auto tags = new_tags(req.Tags);
  if (!tags) return unexpected(tags.error());
  return ctx.store.update<CreateSAMLProviderResponse>(
      [&](domain::StoreEditor& editor) -> Result<CreateSAMLProviderResponse> {
        if (editor.view().find_saml_provider(domain::saml_provider_arn(ctx.account, req.Name)) != nullptr)
          return already_exists("SAMLProvider " + req.Name + " already exists.");
        domain::SamlProvider p;
        p.account = ctx.account;
        p.name = req.Name;
        p.metadata = req.SAMLMetadataDocument;
        p.create_date = ctx.clock.now();
        p.tags = *tags;
        const domain::SamlProvider& put = editor.put_saml_provider(std::move(p));
        return CreateSAMLProviderResponse{put.arn, tags_shape(put.tags)};
      });
}

Result<GetSAMLProviderResponse> get_saml_provider(const GetSAMLProviderRequest& req, const Context& ctx) {
  auto p = existing_saml(ctx.snapshot, ctx, req.SAMLProviderArn);
  if (!p) return unexpected(p.error());
  GetSAMLProviderResponse out;
  out.SAMLProviderUUID = saml_uuid(*p);
  out.SAMLMetadataDocument = p->metadata;  // none for the config's built-in provider
  out.CreateDate = Timestamp{p->create_date};
  out.ValidUntil = Timestamp{saml_valid_until(*p)};
  out.Tags = all_tags(p->tags);
  out.AssertionEncryptionMode = "Allowed";
  out.PrivateKeyList = std::vector<SAMLPrivateKey>{};
  return out;
}

Result<ListSAMLProvidersResponse> list_saml_providers(const ListSAMLProvidersRequest&, const Context& ctx) {
  std::vector<const domain::SamlProvider*> providers;
  ctx.snapshot.for_each_saml_provider([&](const domain::SamlProvider& p) {
    if (p.account == ctx.account) providers.push_back(&p);
  });
  std::sort(providers.begin(), providers.end(), [](const auto* a, const auto* b) { return a->arn < b->arn; });
  ListSAMLProvidersResponse out;
  out.SAMLProviderList.emplace();
  for (const auto* p : providers)
    out.SAMLProviderList->push_back(
        SAMLProviderListEntry{p->arn, Timestamp{saml_valid_until(*p)}, Timestamp{p->create_date}});
  return out;
}

Result<UpdateSAMLProviderResponse> update_saml_provider(const UpdateSAMLProviderRequest& req, const Context& ctx) {
  if (req.SAMLMetadataDocument)
    if (auto ok = check_metadata(*req.SAMLMetadataDocument); !ok) return unexpected(ok.error());
  auto ok = change_saml(ctx, req.SAMLProviderArn, [&](domain::SamlProvider& p) -> Result<void> {
    if (req.SAMLMetadataDocument) {
      p.metadata = *req.SAMLMetadataDocument;
      p.builtin = false;  // its trust anchors are now the document's
    }
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UpdateSAMLProviderResponse{req.SAMLProviderArn};
}

Result<DeleteSAMLProviderResponse> delete_saml_provider(const DeleteSAMLProviderRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    if (auto p = existing_saml(editor.view(), ctx, req.SAMLProviderArn); !p) return unexpected(p.error());
    editor.erase_saml_provider(req.SAMLProviderArn);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteSAMLProviderResponse{};
}

Result<TagSAMLProviderResponse> tag_saml_provider(const TagSAMLProviderRequest& req, const Context& ctx) {
  auto ok = change_saml(ctx, req.SAMLProviderArn, [&](domain::SamlProvider& p) { return merge_tags(p.tags, req.Tags); });
  if (!ok) return unexpected(ok.error());
  return TagSAMLProviderResponse{};
}

Result<UntagSAMLProviderResponse> untag_saml_provider(const UntagSAMLProviderRequest& req, const Context& ctx) {
  auto ok = change_saml(ctx, req.SAMLProviderArn, [&](domain::SamlProvider& p) -> Result<void> {
    remove_tags(p.tags, req.TagKeys);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UntagSAMLProviderResponse{};
}

Result<ListSAMLProviderTagsResponse> list_saml_provider_tags(const ListSAMLProviderTagsRequest& req,
                                                             const Context& ctx) {
  auto p = existing_saml(ctx.snapshot, ctx, req.SAMLProviderArn);
  if (!p) return unexpected(p.error());
  return tags_page<ListSAMLProviderTagsResponse>(p->tags, req.Marker, req.MaxItems);
}

}  // namespace stsd::service::iam
