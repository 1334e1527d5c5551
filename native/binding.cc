// The N-API layer: checks arguments, calls the engine, writes into buffers the caller owns.
// Built without C++ exceptions: every failed check throws a JavaScript error and returns at once.

#include <napi.h>

#include "bip324_engine.h"

namespace {

struct Instance {
  secp256k1_context *secp = nullptr;
};

Napi::Value ThrowWithCode(Napi::Error error, const char *code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  error.ThrowAsJavaScriptException();
  return error.Env().Undefined();
}

// A view of argument i, which must be a Uint8Array (Buffer included) of exactly `size` bytes.
bool Bytes(const Napi::CallbackInfo &info, size_t i, const char *name, size_t size, uint8_t **out) {
  Napi::Env env = info.Env();
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowWithCode(Napi::TypeError::New(env, std::string(name) + " must be a Uint8Array"), "ERR_BIP324_INVALID_ARG");
    return false;
  }
  Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
  if (bytes.ElementLength() != size) {
    ThrowWithCode(Napi::RangeError::New(env, std::string(name) + " must be " + std::to_string(size) +
                                                 " bytes, got " + std::to_string(bytes.ElementLength())),
                  "ERR_BIP324_INVALID_ARG");
    return false;
  }
  *out = bytes.Data();
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
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("ssse3", Napi::Boolean::New(env, facts.has_ssse3));
  cpu.Set("avx2", Napi::Boolean::New(env, facts.has_avx2));
  cpu.Set("avx512f", Napi::Boolean::New(env, facts.has_avx512f));
  result.Set("cpu", cpu);
  return result;
}

// ellswiftDecode(x32: Uint8Array, ell64: Uint8Array): void
Napi::Value EllswiftDecode(const Napi::CallbackInfo &info) {
  uint8_t *x32, *ell64;
  if (!Bytes(info, 0, "x32", 32, &x32) || !Bytes(info, 1, "ell64", 64, &ell64)) return info.Env().Undefined();
  bip324_ellswift_decode(info.Env().GetInstanceData<Instance>()->secp, x32, ell64);
  return info.Env().Undefined();
}

void FreeInstance(Napi::Env, Instance *instance) {
  if (instance->secp != nullptr) secp256k1_context_destroy(instance->secp);
  delete instance;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (!bip324_init()) {
    ThrowWithCode(Napi::Error::New(env, "libsodium failed to initialise"), "ERR_BIP324_NATIVE_UNAVAILABLE");
    return exports;
  }
  Instance *instance = new Instance();
  instance->secp = bip324_secp256k1_context_create();
  env.SetInstanceData<Instance, FreeInstance>(instance);
  if (instance->secp == nullptr) {
    ThrowWithCode(Napi::Error::New(env, "cannot create a randomized secp256k1 context"), "ERR_BIP324_NATIVE_UNAVAILABLE");
    return exports;
  }
  exports.Set("nativeInfo", Napi::Function::New(env, NativeInfo, "nativeInfo"));
  exports.Set("ellswiftDecode", Napi::Function::New(env, EllswiftDecode, "ellswiftDecode"));
  return exports;
}

}  // namespace

NODE_API_MODULE(bip324, Init)
