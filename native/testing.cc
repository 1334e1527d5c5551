// The testing addon (bip324_testing.node): what tests and benchmarks need from the engine and users
// never do, kept out of the addon users load. Built beside it, in the testing/ directory under the
// build (where neither node-gyp-build nor prebuildify looks), and never packed into a prebuild.
//  - ecdhX: x-only ECDH before BIP-324's hash, to check the vectors' mid_x_shared column;
//  - bench: the raw C loop (bench.h) that `npm run bench` puts under every JavaScript figure, and
//    the frozen pre-issue-17 loop (bench_baseline.c) that the engine is compared with;
//  - callFloor: an entry point that takes what encrypt and decryptPacket take and calls no engine,
//    so that the benchmarks can say how much of a small packet's JavaScript time N-API itself costs.
// Its arguments are checked as the addon's are (binding_args.h).

#include <napi.h>

#include "bench.h"
#include "binding_args.h"
#include "bip324_engine.h"

namespace {

using namespace bip324_binding;

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

// bench(kind, provider, size, iterations): number of nanoseconds spent in the C loop, 0 on failure
Napi::Value Bench(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t kind, size, iterations;
  bip324_provider_id provider;
  if (!Uint(env, info[0], "kind", BIP324_BENCH_BASELINE_ROUNDTRIP, &kind) || !Provider(env, info[1], &provider) ||
      !Uint(env, info[2], "size", BIP324_MAX_CONTENTS, &size) || !Uint(env, info[3], "iterations", 0xffffffffu, &iterations)) {
    return env.Undefined();
  }
  uint64_t ns = bip324_bench(Secp(env), static_cast<bip324_bench_kind>(kind), provider, size, iterations);
  return Napi::Number::New(env, static_cast<double>(ns));
}

// floorHandle(): an External for callFloor, as cipherCreate's handles are.
Napi::Value FloorHandle(const Napi::CallbackInfo &info) {
  static int target;
  return Napi::External<int>::New(info.Env(), &target);
}

// callFloor(handle, out, contents, header): 0. Reads and checks its arguments the way encrypt does
// (an External, two Uint8Arrays kept apart, a header byte) and returns a number as decryptPacket
// does; the engine is not called.
Napi::Value CallFloor(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t header;
  void *handle = nullptr;
  View out, contents;
  if (!Uint(env, info[3], "header", 255, &header)) return env.Undefined();
  if (napi_get_value_external(env, info[0], &handle) != napi_ok || handle == nullptr) {
    ThrowInvalid(env, "handle must be from floorHandle()");
    return env.Undefined();
  }
  if (!AnyBytes(env, info[1], "out", &out) || !AnyBytes(env, info[2], "contents", &contents) ||
      !Apart(env, out, "out", contents, "contents")) {
    return env.Undefined();
  }
  return Napi::Number::New(env, 0);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (!InitInstance(env)) return exports;
  exports.Set("ecdhX", Napi::Function::New(env, EcdhX, "ecdhX"));
  exports.Set("bench", Napi::Function::New(env, Bench, "bench"));
  exports.Set("floorHandle", Napi::Function::New(env, FloorHandle, "floorHandle"));
  exports.Set("callFloor", Napi::Function::New(env, CallFloor, "callFloor"));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  return exports;
}

}  // namespace

NODE_API_MODULE(bip324_testing, Init)
