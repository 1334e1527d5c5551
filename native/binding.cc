// The N-API layer: checks arguments, calls the engine, writes into buffers the caller owns.
// Built without C++ exceptions: every failed check throws a JavaScript error and returns at once.
// Misuse (wrong types, sizes, order) throws TypeError/RangeError/Error with a `code`; what a peer
// sent is reported by return values, never by throwing.

#include <napi.h>

#include <string>

#include "bip324_engine.h"

namespace {

const char *const kInvalidArg = "ERR_BIP324_INVALID_ARG";
const char *const kBadState = "ERR_BIP324_BAD_STATE";

// Marks the externals that hold a cipher, so no other object is ever taken for one.
const napi_type_tag kCipherTag = {0x6269703332345f63ULL, 0x69706865725f7631ULL};

struct Instance {
  secp256k1_context *secp = nullptr;
};

// The cipher state (about 1.9 KB of keys and keystream) lives apart from the handle so that
// destroy() can wipe and free it at once: finalizers only run when the event loop turns, and a
// synchronous loop of sessions would otherwise pin every state until then.
struct CipherHandle {
  bip324_cipher *cipher;
};

void FreeState(CipherHandle *handle) {
  if (handle->cipher == nullptr) return;
  bip324_cipher_clear(handle->cipher);
  delete handle->cipher;
  handle->cipher = nullptr;
}

void Throw(Napi::Error error, const char *code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  error.ThrowAsJavaScriptException();
}

void ThrowType(Napi::Env env, const std::string &message) { Throw(Napi::TypeError::New(env, message), kInvalidArg); }
void ThrowRange(Napi::Env env, const std::string &message) { Throw(Napi::RangeError::New(env, message), kInvalidArg); }

const secp256k1_context *Secp(Napi::Env env) { return env.GetInstanceData<Instance>()->secp; }

// A view of argument v, which must be a Uint8Array (Buffer included). One N-API call: this is on
// every packet's path.
bool AnyBytes(Napi::Env env, Napi::Value v, const char *name, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, v, &type, len, &raw, nullptr, nullptr) != napi_ok || type != napi_uint8_array) {
    ThrowType(env, std::string(name) + " must be a Uint8Array");
    return false;
  }
  // An empty view may have no backing store at all; the engine only needs a valid pointer.
  static uint8_t empty;
  *data = raw != nullptr ? static_cast<uint8_t *>(raw) : &empty;
  return true;
}

// As AnyBytes, for element i of an array.
bool ItemBytes(Napi::Env env, const Napi::Array &items, uint32_t i, uint8_t **data, size_t *len) {
  Napi::Value item;
  return items.Get(i).UnwrapTo(&item) && AnyBytes(env, item, "items[i]", data, len);
}

// As AnyBytes, and exactly `size` bytes long.
bool Bytes(const Napi::CallbackInfo &info, size_t i, const char *name, size_t size, uint8_t **data) {
  size_t len;
  if (!AnyBytes(info.Env(), info[i], name, data, &len)) return false;
  if (len != size) {
    ThrowRange(info.Env(), std::string(name) + " must be " + std::to_string(size) + " bytes, got " + std::to_string(len));
    return false;
  }
  return true;
}

bool Provider(const Napi::CallbackInfo &info, size_t i, bip324_provider_id *out) {
  if (info[i].IsUndefined()) {
    *out = bip324_provider_default();
    return true;
  }
  std::string name = info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : "";
  if (name == "openssl" || name == "libsodium") {
    *out = name == "openssl" ? BIP324_PROVIDER_OPENSSL : BIP324_PROVIDER_LIBSODIUM;
    if (bip324_provider_available(*out)) return true;
    Throw(Napi::Error::New(info.Env(), "provider " + name + " is not available in this process"), kInvalidArg);
    return false;
  }
  ThrowType(info.Env(), "provider must be 'openssl', 'libsodium' or undefined");
  return false;
}

// The handle behind argument v, or nullptr (with a TypeError thrown) if v is not one of ours.
CipherHandle *Handle(Napi::Env env, Napi::Value v) {
  bool tagged = false;
  void *data = nullptr;
  if (napi_check_object_type_tag(env, v, &kCipherTag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, v, &data) != napi_ok) {
    ThrowType(env, "cipher must be a handle from cipherCreate()");
    return nullptr;
  }
  return static_cast<CipherHandle *>(data);
}

bip324_cipher *Cipher(const Napi::CallbackInfo &info, size_t i) {
  CipherHandle *handle = Handle(info.Env(), info[i]);
  if (handle == nullptr) return nullptr;
  if (handle->cipher == nullptr) {
    Throw(Napi::Error::New(info.Env(), "cipher has been destroyed"), kBadState);
    return nullptr;
  }
  return handle->cipher;
}

bool Uint(const Napi::CallbackInfo &info, size_t i, const char *name, uint32_t max, uint32_t *out) {
  if (!info[i].IsNumber()) {
    ThrowType(info.Env(), std::string(name) + " must be a number");
    return false;
  }
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= max) || d != static_cast<double>(static_cast<uint32_t>(d))) {
    ThrowRange(info.Env(), std::string(name) + " must be an integer from 0 to " + std::to_string(max));
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

Napi::Value NativeInfo(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_info facts;
  bip324_get_info(&facts);
  Napi::Object result = Napi::Object::New(env);
  result.Set("secp256k1", facts.secp256k1_version);
  result.Set("sodium", facts.sodium_version);
  result.Set("chacha20", facts.chacha20);
  result.Set("poly1305", facts.poly1305);
  result.Set("provider", facts.provider);
  Napi::Array providers = Napi::Array::New(env);
  for (bip324_provider_id id : {BIP324_PROVIDER_OPENSSL, BIP324_PROVIDER_LIBSODIUM}) {
    if (bip324_provider_available(id)) providers.Set(providers.Length(), bip324_provider_name(id));
  }
  result.Set("providers", providers);
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("ssse3", Napi::Boolean::New(env, facts.has_ssse3));
  cpu.Set("avx2", Napi::Boolean::New(env, facts.has_avx2));
  cpu.Set("avx512f", Napi::Boolean::New(env, facts.has_avx512f));
  result.Set("cpu", cpu);
  return result;
}

// ellswiftDecode(x32, ell64): void
Napi::Value EllswiftDecode(const Napi::CallbackInfo &info) {
  uint8_t *x32, *ell64;
  if (!Bytes(info, 0, "x32", 32, &x32) || !Bytes(info, 1, "ell64", 64, &ell64)) return info.Env().Undefined();
  bip324_ellswift_decode(Secp(info.Env()), x32, ell64);
  return info.Env().Undefined();
}

// ellswiftCreate(ell64, seckey32, auxrnd32): boolean (false: seckey32 is not a valid scalar)
Napi::Value EllswiftCreate(const Napi::CallbackInfo &info) {
  uint8_t *ell64, *seckey32, *aux32;
  if (!Bytes(info, 0, "ell64", 64, &ell64) || !Bytes(info, 1, "seckey32", 32, &seckey32) ||
      !Bytes(info, 2, "auxrnd32", 32, &aux32)) {
    return info.Env().Undefined();
  }
  return Napi::Boolean::New(info.Env(), bip324_ellswift_create(Secp(info.Env()), ell64, seckey32, aux32));
}

// keygen(seckey32, ell64): void
Napi::Value Keygen(const Napi::CallbackInfo &info) {
  uint8_t *seckey32, *ell64;
  if (!Bytes(info, 0, "seckey32", 32, &seckey32) || !Bytes(info, 1, "ell64", 64, &ell64)) return info.Env().Undefined();
  bip324_keygen(Secp(info.Env()), seckey32, ell64);
  return info.Env().Undefined();
}

// ecdh(secret32, ellOurs64, ellTheirs64, seckey32, initiator): boolean (false: invalid seckey32)
Napi::Value Ecdh(const Napi::CallbackInfo &info) {
  uint8_t *secret32, *ours, *theirs, *seckey32;
  if (!Bytes(info, 0, "secret32", 32, &secret32) || !Bytes(info, 1, "ellOurs64", 64, &ours) ||
      !Bytes(info, 2, "ellTheirs64", 64, &theirs) || !Bytes(info, 3, "seckey32", 32, &seckey32)) {
    return info.Env().Undefined();
  }
  if (!info[4].IsBoolean()) {
    ThrowType(info.Env(), "initiator must be a boolean");
    return info.Env().Undefined();
  }
  int initiator = info[4].As<Napi::Boolean>().Value() ? 1 : 0;
  return Napi::Boolean::New(info.Env(), bip324_ecdh(Secp(info.Env()), secret32, ours, theirs, seckey32, initiator));
}

// ecdhX(x32, ellTheirs64, seckey32): boolean (false: invalid seckey32)
Napi::Value EcdhX(const Napi::CallbackInfo &info) {
  uint8_t *x32, *theirs, *seckey32;
  if (!Bytes(info, 0, "x32", 32, &x32) || !Bytes(info, 1, "ellTheirs64", 64, &theirs) ||
      !Bytes(info, 2, "seckey32", 32, &seckey32)) {
    return info.Env().Undefined();
  }
  return Napi::Boolean::New(info.Env(), bip324_ecdh_x(Secp(info.Env()), x32, theirs, seckey32));
}

// keySchedule(keys192, secret32, magic4): void
Napi::Value KeySchedule(const Napi::CallbackInfo &info) {
  uint8_t *keys, *secret32, *magic4;
  if (!Bytes(info, 0, "keys", BIP324_KEYS_BYTES, &keys) || !Bytes(info, 1, "secret32", 32, &secret32) ||
      !Bytes(info, 2, "magic4", 4, &magic4)) {
    return info.Env().Undefined();
  }
  bip324_key_schedule(keys, secret32, magic4);
  return info.Env().Undefined();
}

void FreeCipher(Napi::Env, CipherHandle *handle) {
  FreeState(handle);
  delete handle;
}

// cipherCreate(lengthKey32, aeadKey32, provider?): cipher handle for one direction
Napi::Value CipherCreate(const Napi::CallbackInfo &info) {
  uint8_t *length_key, *aead_key;
  bip324_provider_id provider;
  if (!Bytes(info, 0, "lengthKey32", 32, &length_key) || !Bytes(info, 1, "aeadKey32", 32, &aead_key) ||
      !Provider(info, 2, &provider)) {
    return info.Env().Undefined();
  }
  CipherHandle *handle = new CipherHandle{new bip324_cipher()};
  bip324_cipher_init(handle->cipher, length_key, aead_key, provider);
  Napi::External<CipherHandle> external = Napi::External<CipherHandle>::New(info.Env(), handle, FreeCipher);
  external.TypeTag(&kCipherTag);
  return external;
}

// cipherDestroy(cipher): void. Wipes and frees the state now; later use throws ERR_BIP324_BAD_STATE.
Napi::Value CipherDestroy(const Napi::CallbackInfo &info) {
  CipherHandle *handle = Handle(info.Env(), info[0]);
  if (handle != nullptr) FreeState(handle);
  return info.Env().Undefined();
}

// cipherProvider(cipher): 'openssl' | 'libsodium'
Napi::Value CipherProvider(const Napi::CallbackInfo &info) {
  bip324_cipher *c = Cipher(info, 0);
  if (c == nullptr) return info.Env().Undefined();
  return Napi::String::New(info.Env(), bip324_provider_name(c->provider));
}

// encrypt(cipher, out, contents, aad, header): void; out is exactly contents.length + EXPANSION bytes
Napi::Value Encrypt(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_cipher *c = Cipher(info, 0);
  uint8_t *out, *contents, *aad;
  size_t outlen, len, aadlen;
  uint32_t header;
  if (c == nullptr || !AnyBytes(env, info[1], "out", &out, &outlen) ||
      !AnyBytes(env, info[2], "contents", &contents, &len) || !AnyBytes(env, info[3], "aad", &aad, &aadlen) ||
      !Uint(info, 4, "header", 255, &header)) {
    return env.Undefined();
  }
  if (len > BIP324_MAX_CONTENTS) {
    ThrowRange(env, "contents must be at most " + std::to_string(BIP324_MAX_CONTENTS) + " bytes");
    return env.Undefined();
  }
  if (outlen != len + BIP324_EXPANSION) {
    ThrowRange(env, "out must be contents.length + " + std::to_string(BIP324_EXPANSION) + " bytes");
    return env.Undefined();
  }
  bip324_encrypt(c, out, contents, len, aad, aadlen, static_cast<unsigned char>(header));
  return env.Undefined();
}

// decryptLength(cipher, len3): number, the contents length now pending
Napi::Value DecryptLength(const Napi::CallbackInfo &info) {
  bip324_cipher *c = Cipher(info, 0);
  uint8_t *len3;
  if (c == nullptr || !Bytes(info, 1, "len3", BIP324_LENGTH_BYTES, &len3)) return info.Env().Undefined();
  if (c->has_pending) {
    Throw(Napi::Error::New(info.Env(), "a length is already pending: decrypt its packet first"), kBadState);
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), bip324_decrypt_length(c, len3));
}

// decrypt(cipher, contents, input, aad): number, the header byte, or -1 if authentication failed.
// input is header || contents || tag for the pending length; contents receives pending bytes.
Napi::Value Decrypt(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_cipher *c = Cipher(info, 0);
  uint8_t *contents, *in, *aad;
  size_t contentslen, inlen, aadlen;
  if (c == nullptr || !AnyBytes(env, info[1], "contents", &contents, &contentslen) ||
      !AnyBytes(env, info[2], "input", &in, &inlen) || !AnyBytes(env, info[3], "aad", &aad, &aadlen)) {
    return env.Undefined();
  }
  if (!c->has_pending) {
    Throw(Napi::Error::New(env, "no length is pending: call decryptLength first"), kBadState);
    return env.Undefined();
  }
  if (contentslen != c->pending || inlen != c->pending + BIP324_HEADER_BYTES + BIP324_TAG_BYTES) {
    ThrowRange(env, "contents must be the pending length (" + std::to_string(c->pending) + ") and input " +
                        std::to_string(BIP324_HEADER_BYTES + BIP324_TAG_BYTES) + " bytes more");
    return env.Undefined();
  }
  bool overlapping = contents < in + inlen && in < contents + contentslen;
  if (overlapping && contents != in + BIP324_HEADER_BYTES) {
    ThrowRange(env, "contents may only overlap input exactly one byte in");
    return env.Undefined();
  }
  unsigned char header;
  if (!bip324_decrypt(c, &header, contents, in, aad, aadlen)) return Napi::Number::New(env, -1);
  return Napi::Number::New(env, header);
}

// encryptBatch(cipher, out, items, headers?): void; out is exactly sum(items[i].length + EXPANSION)
Napi::Value EncryptBatch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_cipher *c = Cipher(info, 0);
  uint8_t *out, *headers = nullptr;
  size_t outlen, headerslen = 0;
  if (c == nullptr || !AnyBytes(env, info[1], "out", &out, &outlen)) return env.Undefined();
  if (!info[2].IsArray()) {
    ThrowType(env, "items must be an array of Uint8Array");
    return env.Undefined();
  }
  Napi::Array items = info[2].As<Napi::Array>();
  uint32_t n = items.Length();
  if (!info[3].IsUndefined() && !info[3].IsNull()) {
    if (!AnyBytes(env, info[3], "headers", &headers, &headerslen)) return env.Undefined();
    if (headerslen != n) {
      ThrowRange(env, "headers must have one byte per item");
      return env.Undefined();
    }
  }
  // Check every item and the total before encrypting anything: a failed call changes no state.
  // The first kSlices items are kept from this pass; a longer batch reads the rest again in chunks,
  // and refuses an array whose elements changed meanwhile (getters) rather than overrun out.
  constexpr uint32_t kSlices = 256;
  bip324_slice slices[kSlices];
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *data;
    size_t len;
    if (!ItemBytes(env, items, i, &data, &len)) return env.Undefined();
    if (len > BIP324_MAX_CONTENTS) {
      ThrowRange(env, "items[" + std::to_string(i) + "] is over " + std::to_string(BIP324_MAX_CONTENTS) + " bytes");
      return env.Undefined();
    }
    if (i < kSlices) slices[i] = {data, len};
    total += len + BIP324_EXPANSION;
  }
  if (outlen != total) {
    ThrowRange(env, "out must be " + std::to_string(total) + " bytes");
    return env.Undefined();
  }
  size_t room = outlen;
  for (uint32_t start = 0; start < n; start += kSlices) {
    uint32_t count = n - start < kSlices ? n - start : kSlices;
    size_t written = 0;
    for (uint32_t j = 0; j < count; j++) {
      if (start > 0) {
        uint8_t *data;
        if (!ItemBytes(env, items, start + j, &data, &slices[j].len)) return env.Undefined();
        slices[j].data = data;
      }
      if (slices[j].len > BIP324_MAX_CONTENTS || slices[j].len + BIP324_EXPANSION > room - written) {
        Throw(Napi::Error::New(env, "items changed during encryptBatch"), kBadState);
        return env.Undefined();
      }
      written += slices[j].len + BIP324_EXPANSION;
    }
    bip324_encrypt_batch(c, out, slices, count, headers ? headers + start : nullptr);
    out += written;
    room -= written;
  }
  return env.Undefined();
}

// decryptBatch(cipher, plain, meta, input, maxContents): number, a bip324_batch_status.
// meta (Uint32Array) receives [npackets, consumed, pendingLength, hasPending, then per packet:
// offset, length, header]; its length bounds how many packets one call decrypts.
Napi::Value DecryptBatch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_cipher *c = Cipher(info, 0);
  uint8_t *plain, *in;
  size_t plainlen, inlen;
  uint32_t max_contents;
  if (c == nullptr || !AnyBytes(env, info[1], "plain", &plain, &plainlen)) return env.Undefined();
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array ||
      info[2].As<Napi::Uint32Array>().ElementLength() < 4) {
    ThrowType(env, "meta must be a Uint32Array of at least 4 elements");
    return env.Undefined();
  }
  Napi::Uint32Array meta = info[2].As<Napi::Uint32Array>();
  if (!AnyBytes(env, info[3], "input", &in, &inlen) || !Uint(info, 4, "maxContents", BIP324_MAX_CONTENTS, &max_contents)) {
    return env.Undefined();
  }
  uint32_t *words = meta.Data();
  size_t max_packets = (meta.ElementLength() - 4) / 3, npackets, consumed;
  bip324_batch_status status;
  static_assert(sizeof(bip324_packet_info) == 3 * sizeof(uint32_t), "packet info is three words");
  bip324_decrypt_batch(c, plain, plainlen, reinterpret_cast<bip324_packet_info *>(words + 4), max_packets, &npackets,
                       &consumed, &status, in, inlen, max_contents);
  words[0] = static_cast<uint32_t>(npackets);
  words[1] = static_cast<uint32_t>(consumed);
  words[2] = c->has_pending ? c->pending : 0;
  words[3] = c->has_pending ? 1 : 0;
  return Napi::Number::New(env, status);
}

// bench(kind, provider, size, iterations): number of nanoseconds spent in the C loop
Napi::Value Bench(const Napi::CallbackInfo &info) {
  uint32_t kind, size, iterations;
  bip324_provider_id provider;
  if (!Uint(info, 0, "kind", BIP324_BENCH_HANDSHAKE, &kind) || !Provider(info, 1, &provider) ||
      !Uint(info, 2, "size", BIP324_MAX_CONTENTS, &size) || !Uint(info, 3, "iterations", 0xffffffffu, &iterations)) {
    return info.Env().Undefined();
  }
  uint64_t ns = bip324_bench(Secp(info.Env()), static_cast<bip324_bench_kind>(kind), provider, size, iterations);
  return Napi::Number::New(info.Env(), static_cast<double>(ns));
}

void FreeInstance(Napi::Env, Instance *instance) {
  if (instance->secp != nullptr) secp256k1_context_destroy(instance->secp);
  delete instance;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static const bool initialised = bip324_init() == 1;  // once per process, thread-safe
  if (!initialised) {
    Throw(Napi::Error::New(env, "libsodium failed to initialise"), "ERR_BIP324_NATIVE_UNAVAILABLE");
    return exports;
  }
  Instance *instance = new Instance();
  instance->secp = bip324_secp256k1_context_create();
  env.SetInstanceData<Instance, FreeInstance>(instance);
  if (instance->secp == nullptr) {
    Throw(Napi::Error::New(env, "cannot create a randomized secp256k1 context"), "ERR_BIP324_NATIVE_UNAVAILABLE");
    return exports;
  }
  Napi::Object constants = Napi::Object::New(env);
  constants.Set("LENGTH_BYTES", BIP324_LENGTH_BYTES);
  constants.Set("HEADER_BYTES", BIP324_HEADER_BYTES);
  constants.Set("TAG_BYTES", BIP324_TAG_BYTES);
  constants.Set("EXPANSION", BIP324_EXPANSION);
  constants.Set("IGNORE_BIT", BIP324_IGNORE_BIT);
  constants.Set("REKEY_INTERVAL", BIP324_REKEY_INTERVAL);
  constants.Set("MAX_CONTENTS", BIP324_MAX_CONTENTS);
  constants.Set("KEYS_BYTES", BIP324_KEYS_BYTES);
  exports.Set("constants", constants);
  const std::pair<const char *, Napi::Function::Callback> functions[] = {
      {"nativeInfo", NativeInfo},       {"ellswiftDecode", EllswiftDecode}, {"ellswiftCreate", EllswiftCreate},
      {"keygen", Keygen},               {"ecdh", Ecdh},                     {"ecdhX", EcdhX},
      {"keySchedule", KeySchedule},
      {"cipherCreate", CipherCreate},   {"cipherDestroy", CipherDestroy},   {"cipherProvider", CipherProvider},
      {"encrypt", Encrypt},             {"decryptLength", DecryptLength},   {"decrypt", Decrypt},
      {"encryptBatch", EncryptBatch},   {"decryptBatch", DecryptBatch},     {"bench", Bench},
  };
  for (const auto &f : functions) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
  return exports;
}

}  // namespace

NODE_API_MODULE(bip324, Init)
