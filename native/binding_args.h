#ifndef BIP324_BINDING_ARGS_H
#define BIP324_BINDING_ARGS_H

// What the N-API layers (binding.cc, the addon; testing.cc, the tests' and benchmarks' addon)
// share: errors with a `code`, argument readers and takers, and the per-environment set-up.
// Built without C++ exceptions: every failed check throws a JavaScript error and returns false.
//
// Every entry point runs in this order, because reading an argument can run JavaScript (an array
// element may be a getter, or a hole that falls through to one on Array.prototype) and that
// JavaScript may destroy a cipher or detach a buffer:
//  1. read: every argument that is not a buffer or a handle into C++ values (numbers, booleans,
//     strings, and array elements as napi_values);
//  2. take: pointers into buffers (napi_get_typedarray_info) and the state behind a cipher
//     handle, checking it was not destroyed. No call from here on runs JavaScript, except Throw;
//  3. check sizes and overlaps (Apart), then call the engine. A throw runs JavaScript (it
//     constructs a Bip324Error, whose constructor and any setter it reaches may destroy a cipher
//     or detach a buffer), so it returns at once, and nothing taken in 2 is used after it.

#include <napi.h>

#include <string>

#include "bip324_engine.h"

namespace bip324_binding {

inline const char *const kInvalidArg = "ERR_BIP324_INVALID_ARG";
inline const char *const kBadState = "ERR_BIP324_BAD_STATE";

// Each environment (the main thread, each worker) gets its own randomized secp256k1 context, and
// its own reference to the class errors are made with.
struct Instance {
  secp256k1_context *secp = nullptr;
  // Bip324Error (lib/errors.ts), from setErrorClass; empty until then.
  Napi::FunctionReference error_class;
};

// Throw throws new Bip324Error(code, message), so that misuse reads the same whichever backend runs. An
// addon no loader handed the class to (one required straight through node-gyp-build, as the tests'
// child processes do) throws an Error with the same code and message instead.
// MakeError makes that error without throwing it (for a callback to get), or returns false with
// what its constructor threw pending.
inline bool MakeError(Napi::Env env, const char *code, const std::string &message, napi_value *error) {
  Instance *instance = env.GetInstanceData<Instance>();
  if (instance != nullptr && !instance->error_class.IsEmpty()) {
    Napi::Maybe<Napi::Object> made = instance->error_class.New({Napi::String::New(env, code), Napi::String::New(env, message)});
    if (made.IsNothing()) return false;  // the constructor threw: that error is pending, and propagates
    *error = made.Unwrap();
  } else {
    Napi::Error plain = Napi::Error::New(env, message);
    if (plain.Set("code", code).IsNothing()) return false;  // a setter on Error.prototype threw
    *error = plain.Value();
  }
  return true;
}

inline void Throw(Napi::Env env, const char *code, const std::string &message) {
  napi_value error;
  if (MakeError(env, code, message, &error)) napi_throw(env, error);
}

inline void ThrowInvalid(Napi::Env env, const std::string &message) { Throw(env, kInvalidArg, message); }

// setErrorClass(Bip324Error): void. lib/native/binding.ts (and the tests' loader of the testing
// addon) call it once, right after loading. A later call replaces the class: Node keeps one
// instance of an addon file per environment, shared by every loader of that file (jest's module
// registries, one per test file, each with its own Bip324Error), and the latest is the one running.
inline Napi::Value SetErrorClass(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    ThrowInvalid(env, "errorClass must be a constructor");
    return env.Undefined();
  }
  env.GetInstanceData<Instance>()->error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

// The bytes of a Uint8Array argument. data is never null, even for an empty or detached view.
struct View {
  uint8_t *data;
  size_t len;
};

// Whether the bytes of a and b intersect: views of one ArrayBuffer (or of memory shared some other
// way) at different offsets count; an empty view overlaps nothing.
inline bool Overlap(const View &a, const View &b) {
  uintptr_t a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
  return a.len != 0 && b.len != 0 && a0 < b0 + b.len && b0 < a0 + a.len;
}

// The engine forbids outputs that overlap inputs or other outputs: refuse them.
inline bool Apart(Napi::Env env, const View &a, const char *a_name, const View &b, const char *b_name) {
  if (!Overlap(a, b)) return true;
  ThrowInvalid(env, std::string(a_name) + " must not overlap " + b_name);
  return false;
}

inline void FreeInstance(Napi::Env, Instance *instance) {
  if (instance->secp != nullptr) secp256k1_context_destroy(instance->secp);
  delete instance;
}

// What every addon's Init does first: bip324_init once (each addon links its own copy of the
// engine; a function-local static runs once, thread-safely, even when workers load the addon
// together), then this environment's context. Returns false with ERR_BIP324_NATIVE_UNAVAILABLE thrown on failure.
inline bool InitInstance(Napi::Env env) {
  static const bool initialised = bip324_init() == 1;
  if (!initialised) {
    Throw(env, "ERR_BIP324_NATIVE_UNAVAILABLE", "libsodium failed to initialise");
    return false;
  }
  Instance *instance = new Instance();
  instance->secp = bip324_secp256k1_context_create();
  env.SetInstanceData<Instance, FreeInstance>(instance);
  if (instance->secp == nullptr) {
    Throw(env, "ERR_BIP324_NATIVE_UNAVAILABLE", "cannot create a randomized secp256k1 context");
    return false;
  }
  return true;
}

inline const secp256k1_context *Secp(Napi::Env env) { return env.GetInstanceData<Instance>()->secp; }

// Step 1 readers: values that need no pointer. None of them runs JavaScript, but they go first
// so that step 2 is one uninterrupted stretch.

inline bool Uint(Napi::Env env, Napi::Value v, const char *name, uint32_t max, uint32_t *out) {
  double d;
  // One call, which also tells a non-number (napi_number_expected): headers are on every packet's path.
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    ThrowInvalid(env, std::string(name) + " must be a number");
    return false;
  }
  if (!(d >= 0 && d <= max) || d != static_cast<double>(static_cast<uint32_t>(d))) {
    ThrowInvalid(env, std::string(name) + " must be an integer from 0 to " + std::to_string(max));
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

inline bool Provider(Napi::Env env, Napi::Value v, bip324_provider_id *out) {
  if (v.IsUndefined()) {
    *out = bip324_provider_default();
    return true;
  }
  std::string name = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (name == "openssl" || name == "libsodium") {
    *out = name == "openssl" ? BIP324_PROVIDER_OPENSSL : BIP324_PROVIDER_LIBSODIUM;
    if (bip324_provider_available(*out)) return true;
    ThrowInvalid(env, "provider " + name + " is not available in this process");
    return false;
  }
  ThrowInvalid(env, "provider must be 'openssl', 'libsodium' or undefined");
  return false;
}

// Step 2 takers: pointers into buffers and the cipher state. No N-API call below runs JavaScript.

// The bytes of argument v, which must be a Uint8Array (Buffer included). One N-API call: this is
// on every packet's path. A detached buffer has length 0.
inline bool AnyBytes(Napi::Env env, napi_value v, const char *name, View *view) {
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, v, &type, &view->len, &raw, nullptr, nullptr) != napi_ok || type != napi_uint8_array) {
    ThrowInvalid(env, std::string(name) + " must be a Uint8Array");
    return false;
  }
  // An empty view may have no backing store at all; the engine only needs a valid pointer.
  static uint8_t empty;
  view->data = view->len != 0 ? static_cast<uint8_t *>(raw) : &empty;
  return true;
}

// The bytes of info[i] as AnyBytes takes them, or none when the call has no argument i: the
// backend leaves an empty aad out so, which saves looking it up on almost every packet.
inline bool OptionalBytes(const Napi::CallbackInfo &info, size_t i, const char *name, View *view) {
  if (info.Length() > i) return AnyBytes(info.Env(), info[i], name, view);
  static uint8_t empty;
  *view = {&empty, 0};
  return true;
}

// As AnyBytes, and exactly `size` bytes long.
inline bool Bytes(Napi::Env env, napi_value v, const char *name, size_t size, View *view) {
  if (!AnyBytes(env, v, name, view)) return false;
  if (view->len != size) {
    ThrowInvalid(env, std::string(name) + " must be " + std::to_string(size) + " bytes, got " + std::to_string(view->len));
    return false;
  }
  return true;
}

}  // namespace bip324_binding

#endif
