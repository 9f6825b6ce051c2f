#pragma once
// unique_ptr types for OpenSSL objects, each paired once with its free
// function: what crypto, the JWT code and the SAML code hold OpenSSL objects
// in. Only for code that already links OpenSSL (crypto, federation): the
// rest of stsd sees crypto.h, which names no OpenSSL type.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <memory>

namespace stsd::crypto {

template <auto Free>
struct OpenSslFree {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
template <class T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree<Free>>;

// Parameters that may carry a private scalar: cleansed before they are freed.
inline void cleanse_and_free_params(OSSL_PARAM* params) {
  for (OSSL_PARAM* p = params; p != nullptr && p->key != nullptr; ++p)
    if (p->data != nullptr && p->data_size > 0) OPENSSL_cleanse(p->data, p->data_size);
  OSSL_PARAM_free(params);
}

using BioPtr = OpenSslPtr<BIO, BIO_free>;
using BnPtr = OpenSslPtr<BIGNUM, BN_free>;
using SecretBnPtr = OpenSslPtr<BIGNUM, BN_clear_free>;  // a private scalar: cleared when freed
using CipherCtxPtr = OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EcGroupPtr = OpenSslPtr<EC_GROUP, EC_GROUP_free>;
using EcPointPtr = OpenSslPtr<EC_POINT, EC_POINT_free>;
using EcdsaSigPtr = OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using MacCtxPtr = OpenSslPtr<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using ParamBldPtr = OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr = OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using SecretParamsPtr = OpenSslPtr<OSSL_PARAM, cleanse_and_free_params>;
using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;

}  // namespace stsd::crypto
