// The N-API layer: checks arguments, calls the engine, writes into buffers the caller owns.
// Built without C++ exceptions: every failed check throws a JavaScript error and returns at once.
// Misuse (wrong types, sizes, order) throws TypeError/RangeError/Error with a `code`; what a peer
// sent is reported by return values, never by throwing.
//
// Every entry point runs in this order, because reading an argument can run JavaScript (an array
// element may be a getter, or a hole that falls through to one on Array.prototype) and that
// JavaScript may destroy a cipher or detach a buffer:
//  1. read: every argument that is not a buffer or a handle into C++ values (numbers, booleans,
//     strings, and array elements as napi_values);
//  2. take: pointers into buffers (napi_get_typedarray_info) and the state behind the cipher
//     handle, checking it was not destroyed. No call from here on runs JavaScript;
//  3. check sizes and overlaps (Apart), then call the engine. A throw (whose error object a setter could observe)
//     returns at once, and nothing taken in 2 is used after it.

#include <napi.h>

#include <string>
#include <vector>

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

// The bytes of a Uint8Array argument. data is never null, even for an empty or detached view.
struct View {
  uint8_t *data;
  size_t len;
};

// Whether the bytes of a and b intersect: views of one ArrayBuffer (or of memory shared some other
// way) at different offsets count; an empty view overlaps nothing.
bool Overlap(const View &a, const View &b) {
  uintptr_t a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
  return a.len != 0 && b.len != 0 && a0 < b0 + b.len && b0 < a0 + a.len;
}

// The engine forbids outputs that overlap inputs or other outputs: refuse them.
bool Apart(Napi::Env env, const View &a, const char *a_name, const View &b, const char *b_name) {
  if (!Overlap(a, b)) return true;
  ThrowRange(env, std::string(a_name) + " must not overlap " + b_name);
  return false;
}

const secp256k1_context *Secp(Napi::Env env) { return env.GetInstanceData<Instance>()->secp; }

// Step 1 readers: values that need no pointer. None of them runs JavaScript, but they go first
// so that step 2 is one uninterrupted stretch.

bool Uint(Napi::Env env, Napi::Value v, const char *name, uint32_t max, uint32_t *out) {
  if (!v.IsNumber()) {
    ThrowType(env, std::string(name) + " must be a number");
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= max) || d != static_cast<double>(static_cast<uint32_t>(d))) {
    ThrowRange(env, std::string(name) + " must be an integer from 0 to " + std::to_string(max));
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

bool Provider(Napi::Env env, Napi::Value v, bip324_provider_id *out) {
  if (v.IsUndefined()) {
    *out = bip324_provider_default();
    return true;
  }
  std::string name = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (name == "openssl" || name == "libsodium") {
    *out = name == "openssl" ? BIP324_PROVIDER_OPENSSL : BIP324_PROVIDER_LIBSODIUM;
    if (bip324_provider_available(*out)) return true;
    Throw(Napi::Error::New(env, "provider " + name + " is not available in this process"), kInvalidArg);
    return false;
  }
  ThrowType(env, "provider must be 'openssl', 'libsodium' or undefined");
  return false;
}

// The elements of array argument v, as handles: element reads are where getters (and
// Array.prototype getters behind holes) run, so they all happen here, before any pointer is taken.
bool Elements(Napi::Env env, Napi::Value v, std::vector<napi_value> *out) {
  if (!v.IsArray()) {
    ThrowType(env, "items must be an array of Uint8Array");
    return false;
  }
  uint32_t n = v.As<Napi::Array>().Length();
  out->resize(n);
  for (uint32_t i = 0; i < n; i++) {
    if (napi_get_element(env, v, i, &(*out)[i]) != napi_ok) return false;  // a getter threw
  }
  return true;
}

// Step 2 takers: pointers into buffers and the cipher state. No N-API call below runs JavaScript.

// The bytes of argument v, which must be a Uint8Array (Buffer included). One N-API call: this is
// on every packet's path. A detached buffer has length 0.
bool AnyBytes(Napi::Env env, napi_value v, const char *name, View *view) {
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, v, &type, &view->len, &raw, nullptr, nullptr) != napi_ok || type != napi_uint8_array) {
    ThrowType(env, std::string(name) + " must be a Uint8Array");
    return false;
  }
  // An empty view may have no backing store at all; the engine only needs a valid pointer.
  static uint8_t empty;
  view->data = view->len != 0 ? static_cast<uint8_t *>(raw) : &empty;
  return true;
}

// As AnyBytes, and exactly `size` bytes long.
bool Bytes(Napi::Env env, napi_value v, const char *name, size_t size, View *view) {
  if (!AnyBytes(env, v, name, view)) return false;
  if (view->len != size) {
    ThrowRange(env, std::string(name) + " must be " + std::to_string(size) + " bytes, got " + std::to_string(view->len));
    return false;
  }
  return true;
}

// The handle behind argument v, or nullptr (with a TypeError thrown) if v is not one of ours.
CipherHandle *Handle(Napi::Env env, napi_value v) {
  bool tagged = false;
  void *data = nullptr;
  if (napi_check_object_type_tag(env, v, &kCipherTag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, v, &data) != napi_ok) {
    ThrowType(env, "cipher must be a handle from cipherCreate()");
    return nullptr;
  }
  return static_cast<CipherHandle *>(data);
}

// The live state behind handle argument v, or nullptr with an error thrown.
bip324_cipher *Cipher(Napi::Env env, napi_value v) {
  CipherHandle *handle = Handle(env, v);
  if (handle == nullptr) return nullptr;
  if (handle->cipher == nullptr) {
    Throw(Napi::Error::New(env, "cipher has been destroyed"), kBadState);
    return nullptr;
  }
  return handle->cipher;
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
  Napi::Object openssl = Napi::Object::New(env);
  openssl.Set("switch", facts.openssl_switch);
  openssl.Set("version", facts.openssl_version != nullptr ? Napi::Value(Napi::String::New(env, facts.openssl_version)) : env.Null());
  openssl.Set("verdict", facts.openssl_verdict);
  result.Set("openssl", openssl);
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("ssse3", Napi::Boolean::New(env, facts.has_ssse3));
  cpu.Set("avx2", Napi::Boolean::New(env, facts.has_avx2));
  cpu.Set("avx512f", Napi::Boolean::New(env, facts.has_avx512f));
  result.Set("cpu", cpu);
  return result;
}

// ellswiftDecode(x32, ell64): void
Napi::Value EllswiftDecode(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  View x32, ell64;
  if (!Bytes(env, info[0], "x32", 32, &x32) || !Bytes(env, info[1], "ell64", 64, &ell64) ||
      !Apart(env, x32, "x32", ell64, "ell64")) {
    return env.Undefined();
  }
  bip324_ellswift_decode(Secp(env), x32.data, ell64.data);
  return env.Undefined();
}

// ellswiftCreate(ell64, seckey32, auxrnd32): boolean (false: seckey32 is not a valid scalar)
Napi::Value EllswiftCreate(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  View ell64, seckey32, aux32;
  if (!Bytes(env, info[0], "ell64", 64, &ell64) || !Bytes(env, info[1], "seckey32", 32, &seckey32) ||
      !Bytes(env, info[2], "auxrnd32", 32, &aux32) || !Apart(env, ell64, "ell64", seckey32, "seckey32") ||
      !Apart(env, ell64, "ell64", aux32, "auxrnd32")) {
    return env.Undefined();
  }
  return Napi::Boolean::New(env, bip324_ellswift_create(Secp(env), ell64.data, seckey32.data, aux32.data));
}

// keygen(seckey32, ell64): void
Napi::Value Keygen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  View seckey32, ell64;
  if (!Bytes(env, info[0], "seckey32", 32, &seckey32) || !Bytes(env, info[1], "ell64", 64, &ell64) ||
      !Apart(env, seckey32, "seckey32", ell64, "ell64")) {
    return env.Undefined();
  }
  bip324_keygen(Secp(env), seckey32.data, ell64.data);
  return env.Undefined();
}

// ecdh(secret32, ellOurs64, ellTheirs64, seckey32, initiator): boolean (false: invalid seckey32)
Napi::Value Ecdh(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!info[4].IsBoolean()) {
    ThrowType(env, "initiator must be a boolean");
    return env.Undefined();
  }
  int initiator = info[4].As<Napi::Boolean>().Value() ? 1 : 0;
  View secret32, ours, theirs, seckey32;
  if (!Bytes(env, info[0], "secret32", 32, &secret32) || !Bytes(env, info[1], "ellOurs64", 64, &ours) ||
      !Bytes(env, info[2], "ellTheirs64", 64, &theirs) || !Bytes(env, info[3], "seckey32", 32, &seckey32) ||
      !Apart(env, secret32, "secret32", ours, "ellOurs64") || !Apart(env, secret32, "secret32", theirs, "ellTheirs64") ||
      !Apart(env, secret32, "secret32", seckey32, "seckey32")) {
    return env.Undefined();
  }
  return Napi::Boolean::New(env, bip324_ecdh(Secp(env), secret32.data, ours.data, theirs.data, seckey32.data, initiator));
}

// ecdhX(x32, ellTheirs64, seckey32): boolean (false: invalid seckey32)
Napi::Value EcdhX(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  View x32, theirs, seckey32;
  if (!Bytes(env, info[0], "x32", 32, &x32) || !Bytes(env, info[1], "ellTheirs64", 64, &theirs) ||
      !Bytes(env, info[2], "seckey32", 32, &seckey32) || !Apart(env, x32, "x32", theirs, "ellTheirs64") ||
      !Apart(env, x32, "x32", seckey32, "seckey32")) {
    return env.Undefined();
  }
  return Napi::Boolean::New(env, bip324_ecdh_x(Secp(env), x32.data, theirs.data, seckey32.data));
}

// keySchedule(keys192, secret32, magic4): void
Napi::Value KeySchedule(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  View keys, secret32, magic4;
  if (!Bytes(env, info[0], "keys", BIP324_KEYS_BYTES, &keys) || !Bytes(env, info[1], "secret32", 32, &secret32) ||
      !Bytes(env, info[2], "magic4", 4, &magic4) || !Apart(env, keys, "keys", secret32, "secret32") ||
      !Apart(env, keys, "keys", magic4, "magic4")) {
    return env.Undefined();
  }
  bip324_key_schedule(keys.data, secret32.data, magic4.data);
  return env.Undefined();
}

void FreeCipher(Napi::Env, CipherHandle *handle) {
  FreeState(handle);
  delete handle;
}

// cipherCreate(lengthKey32, aeadKey32, provider?): cipher handle for one direction
Napi::Value CipherCreate(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_provider_id provider;
  if (!Provider(env, info[2], &provider)) return env.Undefined();
  View length_key, aead_key;
  if (!Bytes(env, info[0], "lengthKey32", 32, &length_key) || !Bytes(env, info[1], "aeadKey32", 32, &aead_key)) {
    return env.Undefined();
  }
  CipherHandle *handle = new CipherHandle{new bip324_cipher()};
  bip324_cipher_init(handle->cipher, length_key.data, aead_key.data, provider);
  Napi::External<CipherHandle> external = Napi::External<CipherHandle>::New(env, handle, FreeCipher);
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
  bip324_cipher *c = Cipher(info.Env(), info[0]);
  if (c == nullptr) return info.Env().Undefined();
  return Napi::String::New(info.Env(), bip324_provider_name(c->provider));
}

// encrypt(cipher, out, contents, aad, header): void; out is exactly contents.length + EXPANSION bytes
Napi::Value Encrypt(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t header;
  if (!Uint(env, info[4], "header", 255, &header)) return env.Undefined();
  bip324_cipher *c = Cipher(env, info[0]);
  View out, contents, aad;
  if (c == nullptr || !AnyBytes(env, info[1], "out", &out) || !AnyBytes(env, info[2], "contents", &contents) ||
      !AnyBytes(env, info[3], "aad", &aad)) {
    return env.Undefined();
  }
  if (contents.len > BIP324_MAX_CONTENTS) {
    ThrowRange(env, "contents must be at most " + std::to_string(BIP324_MAX_CONTENTS) + " bytes");
    return env.Undefined();
  }
  if (out.len != contents.len + BIP324_EXPANSION) {
    ThrowRange(env, "out must be contents.length + " + std::to_string(BIP324_EXPANSION) + " bytes");
    return env.Undefined();
  }
  if (!Apart(env, out, "out", contents, "contents") || !Apart(env, out, "out", aad, "aad")) return env.Undefined();
  bip324_encrypt(c, out.data, contents.data, contents.len, aad.data, aad.len, static_cast<unsigned char>(header));
  return env.Undefined();
}

// decryptLength(cipher, len3): number, the contents length now pending
Napi::Value DecryptLength(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_cipher *c = Cipher(env, info[0]);
  View len3;
  if (c == nullptr || !Bytes(env, info[1], "len3", BIP324_LENGTH_BYTES, &len3)) return env.Undefined();
  if (c->has_pending) {
    Throw(Napi::Error::New(env, "a length is already pending: decrypt its packet first"), kBadState);
    return env.Undefined();
  }
  return Napi::Number::New(env, bip324_decrypt_length(c, len3.data));
}

// decrypt(cipher, contents, input, aad): number, the header byte, or -1 if authentication failed.
// input is header || contents || tag for the pending length; contents receives pending bytes.
Napi::Value Decrypt(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_cipher *c = Cipher(env, info[0]);
  View contents, in, aad;
  if (c == nullptr || !AnyBytes(env, info[1], "contents", &contents) || !AnyBytes(env, info[2], "input", &in) ||
      !AnyBytes(env, info[3], "aad", &aad)) {
    return env.Undefined();
  }
  if (!c->has_pending) {
    Throw(Napi::Error::New(env, "no length is pending: call decryptLength first"), kBadState);
    return env.Undefined();
  }
  if (contents.len != c->pending || in.len != c->pending + BIP324_HEADER_BYTES + BIP324_TAG_BYTES) {
    ThrowRange(env, "contents must be the pending length (" + std::to_string(c->pending) + ") and input " +
                        std::to_string(BIP324_HEADER_BYTES + BIP324_TAG_BYTES) + " bytes more");
    return env.Undefined();
  }
  if (Overlap(contents, in) && contents.data != in.data + BIP324_HEADER_BYTES) {
    ThrowRange(env, "contents may only overlap input exactly one byte in");
    return env.Undefined();
  }
  if (!Apart(env, contents, "contents", aad, "aad")) return env.Undefined();
  unsigned char header;
  if (!bip324_decrypt(c, &header, contents.data, in.data, aad.data, aad.len)) return Napi::Number::New(env, -1);
  return Napi::Number::New(env, header);
}

// encryptBatch(cipher, out, items, headers?): void; out is exactly sum(items[i].length + EXPANSION)
Napi::Value EncryptBatch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::vector<napi_value> items;
  if (!Elements(env, info[2], &items)) return env.Undefined();
  bip324_cipher *c = Cipher(env, info[0]);
  View out, headers{nullptr, 0};
  bool has_headers = !info[3].IsUndefined() && !info[3].IsNull();
  if (c == nullptr || !AnyBytes(env, info[1], "out", &out) ||
      (has_headers && !AnyBytes(env, info[3], "headers", &headers))) {
    return env.Undefined();
  }
  std::vector<bip324_slice> slices(items.size());
  for (size_t i = 0; i < items.size(); i++) {
    View item;
    if (!AnyBytes(env, items[i], "items[i]", &item) || !Apart(env, out, "out", item, "items[i]")) return env.Undefined();
    slices[i] = {item.data, item.len};
  }
  // Every check before encrypting anything: a failed call changes no state.
  if (has_headers && headers.len != slices.size()) {
    ThrowRange(env, "headers must have one byte per item");
    return env.Undefined();
  }
  size_t total = 0;
  for (size_t i = 0; i < slices.size(); i++) {
    if (slices[i].len > BIP324_MAX_CONTENTS) {
      ThrowRange(env, "items[" + std::to_string(i) + "] is over " + std::to_string(BIP324_MAX_CONTENTS) + " bytes");
      return env.Undefined();
    }
    total += slices[i].len + BIP324_EXPANSION;
  }
  if (out.len != total) {
    ThrowRange(env, "out must be " + std::to_string(total) + " bytes");
    return env.Undefined();
  }
  if (has_headers && !Apart(env, out, "out", headers, "headers")) return env.Undefined();
  bip324_encrypt_batch(c, out.data, slices.data(), slices.size(), has_headers ? headers.data : nullptr);
  return env.Undefined();
}

// decryptBatch(cipher, plain, meta, input, maxContents): number, a bip324_batch_status.
// meta (Uint32Array) receives [npackets, consumed, pendingLength, hasPending, then per packet:
// offset, length, header]; its length bounds how many packets one call decrypts.
Napi::Value DecryptBatch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t max_contents;
  if (!Uint(env, info[4], "maxContents", BIP324_MAX_CONTENTS, &max_contents)) return env.Undefined();
  bip324_cipher *c = Cipher(env, info[0]);
  View plain, in;
  if (c == nullptr || !AnyBytes(env, info[1], "plain", &plain)) return env.Undefined();
  napi_typedarray_type type;
  size_t nwords;
  void *raw;
  if (napi_get_typedarray_info(env, info[2], &type, &nwords, &raw, nullptr, nullptr) != napi_ok ||
      type != napi_uint32_array || nwords < 4) {
    ThrowType(env, "meta must be a Uint32Array of at least 4 elements");
    return env.Undefined();
  }
  uint32_t *words = static_cast<uint32_t *>(raw);
  View meta{static_cast<uint8_t *>(raw), nwords * sizeof(uint32_t)};
  if (!AnyBytes(env, info[3], "input", &in) || !Apart(env, plain, "plain", in, "input") ||
      !Apart(env, plain, "plain", meta, "meta") || !Apart(env, meta, "meta", in, "input")) {
    return env.Undefined();
  }
  size_t max_packets = (nwords - 4) / 3, npackets, consumed;
  bip324_batch_status status;
  static_assert(sizeof(bip324_packet_info) == 3 * sizeof(uint32_t), "packet info is three words");
  bip324_decrypt_batch(c, plain.data, plain.len, reinterpret_cast<bip324_packet_info *>(words + 4), max_packets, &npackets,
                       &consumed, &status, in.data, in.len, max_contents);
  words[0] = static_cast<uint32_t>(npackets);
  words[1] = static_cast<uint32_t>(consumed);
  words[2] = c->has_pending ? c->pending : 0;
  words[3] = c->has_pending ? 1 : 0;
  return Napi::Number::New(env, status);
}

// bench(kind, provider, size, iterations): number of nanoseconds spent in the C loop
Napi::Value Bench(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t kind, size, iterations;
  bip324_provider_id provider;
  if (!Uint(env, info[0], "kind", BIP324_BENCH_HANDSHAKE, &kind) || !Provider(env, info[1], &provider) ||
      !Uint(env, info[2], "size", BIP324_MAX_CONTENTS, &size) || !Uint(env, info[3], "iterations", 0xffffffffu, &iterations)) {
    return env.Undefined();
  }
  uint64_t ns = bip324_bench(Secp(env), static_cast<bip324_bench_kind>(kind), provider, size, iterations);
  return Napi::Number::New(env, static_cast<double>(ns));
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
