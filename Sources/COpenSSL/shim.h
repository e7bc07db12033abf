// The OpenSSL EVP digest API as arraytool sees it; only Digest/Digest.swift imports this module.
#include <openssl/evp.h>
