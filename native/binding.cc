// The addon: checks arguments, calls the engine, writes into buffers the caller owns. Misuse (wrong
// types, sizes, order) throws a Bip324Error (ERR_BIP324_INVALID_ARG, ERR_BIP324_BAD_STATE), as the
// js backend does; what a peer sent is reported by return values, never by throwing. Every entry point reads, then takes, then checks
// and calls, in the order binding_args.h explains.

#include <napi.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <sodium.h>

#include "binding_args.h"
#include "bip324_engine.h"

namespace {

using namespace bip324_binding;

// The ciphers of one environment, in slots. A cipher handle is an External whose value is not a
// pointer but its slot's number and generation: checking a handle is then a bounds check and a
// comparison, where a type tag (napi_check_object_type_tag) took a private-symbol lookup, most of a
// small packet's binding cost. A value that is not ours (another addon's External, a handle of another
// environment, a stale one) finds no slot with its generation, and nothing it holds is ever followed
// as a pointer. Generations start at random, so that another addon's value matching one is a
// 2^-32 coincidence, and one that did would still only name a cipher of ours.
//
// The table outlives both the environment's cleanup and the handles' finalizers, in whichever order
// they run: each holds a reference, and the last one frees it.
struct CipherTable {
  struct Slot {
    // The state (about 900 bytes of keys and keystream) lives apart from the slot so that
    // destroy() can wipe and free it at once: finalizers only run when the event loop turns, and
    // a synchronous loop of sessions would otherwise pin every state until then.
    bip324_cipher *cipher;
    uint32_t generation;  // of the handle using the slot; the next handle's is one more
    bool used;            // a handle (destroyed or not) has the slot until its finalizer runs
    // An encryption on the thread pool (encryptAsync) owns the state until it ends: every other
    // call is refused meanwhile, and a destroy() is carried out when it ends.
    bool busy;
    bool destroy_pending;
  };
  std::vector<Slot> slots;
  std::vector<uint32_t> unused;
  uint32_t first_generation;
  size_t refs = 1;  // the environment's (its cleanup hook drops it), and one per handle not yet finalized
};

void Unref(CipherTable *table) {
  if (--table->refs == 0) delete table;
}

uintptr_t HandleValue(uint32_t slot, uint32_t generation) {
  return static_cast<uintptr_t>(static_cast<uint64_t>(generation) << 32 | slot);
}

void FreeState(CipherTable::Slot *slot) {
  if (slot->cipher == nullptr) return;
  if (slot->busy) {
    slot->destroy_pending = true;
    return;
  }
  bip324_cipher_clear(slot->cipher);
  delete slot->cipher;
  slot->cipher = nullptr;
}

// The elements of array argument v, as handles: element reads are where getters (and
// Array.prototype getters behind holes) run, so they all happen here, before any pointer is taken.
bool Elements(Napi::Env env, Napi::Value v, std::vector<napi_value> *out) {
  if (!v.IsArray()) {
    ThrowInvalid(env, "items must be an array of Uint8Array");
    return false;
  }
  uint32_t n = v.As<Napi::Array>().Length();
  out->resize(n);
  for (uint32_t i = 0; i < n; i++) {
    if (napi_get_element(env, v, i, &(*out)[i]) != napi_ok) return false;  // a getter threw
  }
  return true;
}

// The table, from the function data every cipher entry point is created with (see Init).
CipherTable *Table(const Napi::CallbackInfo &info) { return static_cast<CipherTable *>(info.Data()); }

// The slot of handle argument info[0], or nullptr (with ERR_BIP324_INVALID_ARG thrown) if it is not
// a live handle of this environment. uintptr_t is 64 bits on every target the addon builds for.
CipherTable::Slot *Handle(const Napi::CallbackInfo &info) {
  static_assert(sizeof(uintptr_t) == 8, "a handle value is a 32-bit slot and a 32-bit generation");
  CipherTable *table = Table(info);
  void *data = nullptr;
  if (napi_get_value_external(info.Env(), info[0], &data) == napi_ok) {
    uintptr_t value = reinterpret_cast<uintptr_t>(data);
    uint32_t slot = static_cast<uint32_t>(value), generation = static_cast<uint32_t>(value >> 32);
    if (slot < table->slots.size() && table->slots[slot].used && table->slots[slot].generation == generation) {
      return &table->slots[slot];
    }
  }
  ThrowInvalid(info.Env(), "cipher must be a handle from cipherCreate()");
  return nullptr;
}

// The live state behind handle argument info[0], or nullptr with an error thrown.
bip324_cipher *Cipher(const Napi::CallbackInfo &info) {
  CipherTable::Slot *slot = Handle(info);
  if (slot == nullptr) return nullptr;
  if (slot->cipher == nullptr || slot->destroy_pending) {
    Throw(info.Env(), kBadState, "cipher has been destroyed");
    return nullptr;
  }
  if (slot->busy) {
    Throw(info.Env(), kBadState, "an encryptAsync() of this cipher has not completed");
    return nullptr;
  }
  return slot->cipher;
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
    ThrowInvalid(env, "initiator must be a boolean");
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

// A handle's finalizer: its state (if destroy() left any) and its slot go, and the slot's next
// handle gets the next generation, so that this one never names it.
void FreeCipher(napi_env, void *data, void *hint) {
  CipherTable *table = static_cast<CipherTable *>(hint);
  uint32_t slot = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data));
  CipherTable::Slot &s = table->slots[slot];
  FreeState(&s);
  s.used = false;
  s.generation++;
  table->unused.push_back(slot);
  Unref(table);
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
  CipherTable *table = Table(info);
  uint32_t slot;
  if (!table->unused.empty()) {
    slot = table->unused.back();
    table->unused.pop_back();
  } else {
    slot = static_cast<uint32_t>(table->slots.size());
    table->slots.push_back({nullptr, table->first_generation, false, false, false});
  }
  CipherTable::Slot &s = table->slots[slot];
  napi_value external;
  if (napi_create_external(env, reinterpret_cast<void *>(HandleValue(slot, s.generation)), FreeCipher, table,
                           &external) != napi_ok) {
    table->unused.push_back(slot);
    return env.Undefined();  // the error is pending
  }
  s.cipher = new bip324_cipher();
  s.used = true;
  s.busy = false;
  s.destroy_pending = false;
  table->refs++;
  bip324_cipher_init(s.cipher, length_key.data, aead_key.data, provider);
  return Napi::Value(env, external);
}

// cipherDestroy(cipher): void. Wipes and frees the state now; later use throws ERR_BIP324_BAD_STATE.
Napi::Value CipherDestroy(const Napi::CallbackInfo &info) {
  CipherTable::Slot *slot = Handle(info);
  if (slot != nullptr) FreeState(slot);
  return info.Env().Undefined();
}

// cipherProvider(cipher): 'openssl' | 'libsodium'
Napi::Value CipherProvider(const Napi::CallbackInfo &info) {
  bip324_cipher *c = Cipher(info);
  if (c == nullptr) return info.Env().Undefined();
  return Napi::String::New(info.Env(), bip324_provider_name(c->provider));
}

// What encrypt and encryptAsync take: (cipher, out, contents, header, ...), taken and checked.
struct EncryptArgs {
  bip324_cipher *cipher;
  View out, contents, aad;
  unsigned char header;
};

// Steps 2 and 3 of binding_args.h for an encryption whose header was read into `header` and whose
// aad is argument `aad_at` (left out for none). With no_out (encryptAsync's out null), out is not
// taken: only its length is set, for the caller to make it.
bool TakeEncrypt(const Napi::CallbackInfo &info, uint32_t header, size_t aad_at, EncryptArgs *a, bool no_out = false) {
  Napi::Env env = info.Env();
  a->cipher = Cipher(info);
  if (a->cipher == nullptr || (!no_out && !AnyBytes(env, info[1], "out", &a->out)) ||
      !AnyBytes(env, info[2], "contents", &a->contents) || !OptionalBytes(info, aad_at, "aad", &a->aad)) {
    return false;
  }
  if (a->contents.len > BIP324_MAX_CONTENTS) {
    ThrowInvalid(env, "contents must be at most " + std::to_string(BIP324_MAX_CONTENTS) + " bytes");
    return false;
  }
  if (no_out) a->out = {nullptr, a->contents.len + BIP324_EXPANSION};
  if (a->out.len != a->contents.len + BIP324_EXPANSION) {
    ThrowInvalid(env, "out must be contents.length + " + std::to_string(BIP324_EXPANSION) + " bytes");
    return false;
  }
  a->header = static_cast<unsigned char>(header);
  return Apart(env, a->out, "out", a->contents, "contents") && Apart(env, a->out, "out", a->aad, "aad");
}

// encrypt(cipher, out, contents, header, aad?): void; out is exactly contents.length + EXPANSION
// bytes. Here and in decrypt, aad is the last argument, left out for none.
Napi::Value Encrypt(const Napi::CallbackInfo &info) {
  uint32_t header;
  EncryptArgs a;
  if (!Uint(info.Env(), info[3], "header", 255, &header) || !TakeEncrypt(info, header, 4, &a)) return info.Env().Undefined();
  bip324_encrypt(a.cipher, a.out.data, a.contents.data, a.contents.len, a.aad.data, a.aad.len, a.header);
  return info.Env().Undefined();
}

// One encryptAsync in flight: the engine call on a thread-pool thread (N-API's async work, not
// node-addon-api's AsyncWorker, which needs std::mutex: the win32 toolchain has none), then `done`
// on the JavaScript thread. The thread-pool thread touches no memory JavaScript can reach: while it
// runs, JavaScript may detach any buffer it was given (structuredClone or postMessage with a
// transfer list, ArrayBuffer.prototype.transfer) or shrink a resizable one, and once the new owner
// of the bytes is collected they are freed. A reference keeps the view alive but not its bytes,
// and Node-API has no way to pin a backing store. So the call copies contents and aad into memory
// the work owns. The packet goes either into a Uint8Array the call makes (out null), which no
// JavaScript can reach before done() gets it, or, for an out of the caller's, into the work's
// memory too, copied into out on the JavaScript thread when it is done if out still has its
// length. The handle is referenced so that its slot is not finalized and reused while the work
// holds it by number (the table's vector may grow meanwhile); the state itself does not move.
struct EncryptWork {
  napi_async_work work;
  napi_ref handle, out, done;  // out: the caller's, or the one made
  CipherTable *table;
  uint32_t slot;
  bip324_cipher *cipher;
  unsigned char header;
  bool made;  // out was made by the call: the engine writes into it, and done() gets it
  // The packet when !made (packet_len bytes), then the copies of contents and aad, in one allocation.
  uint8_t *memory, *packet;
  size_t packet_len, contents_len, aad_len;
  bool wiped;  // the copies, which hold plaintext, are zeroed (on the thread pool, after the engine)
};

uint8_t *Copies(EncryptWork *w) { return w->memory + (w->made ? 0 : w->packet_len); }

void WipeCopies(EncryptWork *w) {
  if (w->memory == nullptr || w->wiped) return;
  sodium_memzero(Copies(w), w->contents_len + w->aad_len);
  w->wiped = true;
}

void ExecuteEncrypt(napi_env, void *data) {
  EncryptWork *w = static_cast<EncryptWork *>(data);
  const uint8_t *contents = Copies(w);
  bip324_encrypt(w->cipher, w->packet, contents, w->contents_len, contents + w->contents_len, w->aad_len, w->header);
  WipeCopies(w);  // here rather than on the JavaScript thread: zeroing megabytes takes time
}

// Every path that ends a work comes here, so that the copies are wiped (a work that never ran
// still holds them) and freed.
void ReleaseWork(napi_env env, EncryptWork *w) {
  WipeCopies(w);
  free(w->memory);
  for (napi_ref r : {w->handle, w->out, w->done}) {
    if (r != nullptr) napi_delete_reference(env, r);
  }
  if (w->work != nullptr) napi_delete_async_work(env, w->work);
  delete w;
}

void CompleteEncrypt(napi_env env, napi_status status, void *data) {
  EncryptWork *w = static_cast<EncryptWork *>(data);
  CipherTable::Slot &s = w->table->slots[w->slot];
  s.busy = false;
  if (s.destroy_pending) FreeState(&s);  // destroy() was called meanwhile
  // out as it is now: no JavaScript runs between this look and the copy.
  napi_value out = nullptr;
  napi_typedarray_type type;
  size_t len = 0;
  void *raw = nullptr;
  bool delivered = status == napi_ok && napi_get_reference_value(env, w->out, &out) == napi_ok &&
                   napi_get_typedarray_info(env, out, &type, &len, &raw, nullptr, nullptr) == napi_ok &&
                   len == w->packet_len;
  if (delivered && !w->made) memcpy(raw, w->memory, w->packet_len);
  bool made = w->made;
  napi_value done = nullptr, global = nullptr, args[2];
  bool call = status == napi_ok && napi_get_reference_value(env, w->done, &done) == napi_ok &&
              napi_get_global(env, &global) == napi_ok && napi_get_undefined(env, &args[0]) == napi_ok;
  ReleaseWork(env, w);
  if (!call) return;
  if (delivered) {
    args[1] = out;
    napi_call_function(env, global, done, made ? 2 : 0, args, nullptr);  // what done throws is uncaught
  } else if (MakeError(env, kInvalidArg,
                       "out was detached or resized before encryptAsync() completed: its packet is lost, and the cipher "
                       "has moved past it",
                       &args[0])) {
    napi_call_function(env, global, done, 1, args, nullptr);
  }  // else the error constructor threw, and that is uncaught instead
}

// encryptAsync(cipher, out, contents, header, done, aad?): void. As encrypt, on the libuv thread
// pool; done() is called once out holds the packet, or done(error) if out was detached or resized
// meanwhile (the packet is then lost). With out null, the call makes the packet (a Uint8Array over
// memory it does not zero), and done(undefined, packet) gets it: no copy of it. Until done the
// cipher refuses every other call (ERR_BIP324_BAD_STATE; a destroy() is carried out when it
// ends). contents and aad are copied by the call: what happens to them afterwards does not change
// the packet.
Napi::Value EncryptAsync(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t header;
  if (!Uint(env, info[3], "header", 255, &header)) return env.Undefined();
  if (!info[4].IsFunction()) {
    ThrowInvalid(env, "done must be a function");
    return env.Undefined();
  }
  bool made = info[1].IsNull();
  EncryptArgs a;
  if (!TakeEncrypt(info, header, 5, &a, made)) return env.Undefined();
  // The copies are taken at once, while the pointers TakeEncrypt took are good (no JavaScript has
  // run since). The sizes cannot overflow: contents is at most BIP324_MAX_CONTENTS bytes, and aad
  // is a buffer in memory.
  size_t at = made ? 0 : a.out.len, total = at + a.contents.len + a.aad.len;
  uint8_t *memory = static_cast<uint8_t *>(malloc(total != 0 ? total : 1));
  if (memory == nullptr) {
    // As Node reports a failed allocation (a Buffer's, zlib's): no Bip324Error code says it.
    napi_throw_range_error(env, "ERR_MEMORY_ALLOCATION_FAILED", "encryptAsync() cannot allocate its copies");
    return env.Undefined();
  }
  memcpy(memory + at, a.contents.data, a.contents.len);
  memcpy(memory + at + a.contents.len, a.aad.data, a.aad.len);
  CipherTable *table = Table(info);
  EncryptWork *w = new EncryptWork{nullptr, nullptr, nullptr, nullptr, table,
                                   static_cast<uint32_t>(Handle(info) - table->slots.data()),
                                   a.cipher, a.header, made, memory, memory, a.out.len, a.contents.len, a.aad.len, false};
  // The packet made: a Buffer's memory (not zeroed, as Buffer.allocUnsafeSlow's) under a plain
  // Uint8Array, as lib/crypto/uninitialized.ts makes one, so that slice() copies as it should.
  napi_value out = info[1], buffer, arraybuffer;
  void *data = nullptr;
  bool ok = !made || (napi_create_buffer(env, a.out.len, &data, &buffer) == napi_ok &&
                      napi_get_typedarray_info(env, buffer, nullptr, nullptr, nullptr, &arraybuffer, nullptr) == napi_ok &&
                      napi_create_typedarray(env, napi_uint8_array, a.out.len, arraybuffer, 0, &out) == napi_ok);
  if (made) w->packet = static_cast<uint8_t *>(data);
  napi_value name;
  ok = ok && napi_create_reference(env, info[0], 1, &w->handle) == napi_ok &&
            napi_create_reference(env, out, 1, &w->out) == napi_ok &&
            napi_create_reference(env, info[4], 1, &w->done) == napi_ok &&
            napi_create_string_utf8(env, "bip324.encryptAsync", NAPI_AUTO_LENGTH, &name) == napi_ok &&
            napi_create_async_work(env, nullptr, name, ExecuteEncrypt, CompleteEncrypt, w, &w->work) == napi_ok &&
            napi_queue_async_work(env, w->work) == napi_ok;
  if (!ok) {
    ReleaseWork(env, w);
    // The error is pending, if the call that failed threw one; else this one, so that the caller
    // does not wait for a done() that never comes.
    bool pending = true;
    if (napi_is_exception_pending(env, &pending) == napi_ok && !pending) {
      napi_throw_error(env, nullptr, "encryptAsync() could not start");
    }
    return env.Undefined();
  }
  table->slots[w->slot].busy = true;
  return env.Undefined();
}

// decryptLength(cipher, len3): number, the contents length now pending
Napi::Value DecryptLength(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_cipher *c = Cipher(info);
  View len3;
  if (c == nullptr || !Bytes(env, info[1], "len3", BIP324_LENGTH_BYTES, &len3)) return env.Undefined();
  if (c->has_pending) {
    Throw(env, kBadState, "a length is already pending: decrypt its packet first");
    return env.Undefined();
  }
  return Napi::Number::New(env, bip324_decrypt_length(c, len3.data));
}

// decrypt(cipher, contents, input, aad?): number, the header byte, or -1 if authentication failed.
// input is header || contents || tag for the pending length; contents receives pending bytes.
Napi::Value Decrypt(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bip324_cipher *c = Cipher(info);
  View contents, in, aad;
  if (c == nullptr || !AnyBytes(env, info[1], "contents", &contents) || !AnyBytes(env, info[2], "input", &in) ||
      !OptionalBytes(info, 3, "aad", &aad)) {
    return env.Undefined();
  }
  if (!c->has_pending) {
    Throw(env, kBadState, "no length is pending: call decryptLength first");
    return env.Undefined();
  }
  if (contents.len != c->pending || in.len != c->pending + BIP324_HEADER_BYTES + BIP324_TAG_BYTES) {
    ThrowInvalid(env, "contents must be the pending length (" + std::to_string(c->pending) + ") and input " +
                        std::to_string(BIP324_HEADER_BYTES + BIP324_TAG_BYTES) + " bytes more");
    return env.Undefined();
  }
  if (Overlap(contents, in) && contents.data != in.data + BIP324_HEADER_BYTES) {
    ThrowInvalid(env, "contents may only overlap input exactly one byte in");
    return env.Undefined();
  }
  if (!Apart(env, contents, "contents", aad, "aad")) return env.Undefined();
  unsigned char header;
  if (!bip324_decrypt(c, &header, contents.data, in.data, aad.data, aad.len)) return Napi::Number::New(env, -1);
  return Napi::Number::New(env, header);
}

// encryptBatch(cipher, out, items): void, genuine packets; out is exactly sum(items[i].length + EXPANSION)
Napi::Value EncryptBatch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::vector<napi_value> items;
  if (!Elements(env, info[2], &items)) return env.Undefined();
  bip324_cipher *c = Cipher(info);
  View out;
  if (c == nullptr || !AnyBytes(env, info[1], "out", &out)) return env.Undefined();
  std::vector<bip324_slice> slices(items.size());
  for (size_t i = 0; i < items.size(); i++) {
    View item;
    if (!AnyBytes(env, items[i], "items[i]", &item) || !Apart(env, out, "out", item, "items[i]")) return env.Undefined();
    slices[i] = {item.data, item.len};
  }
  // Every check before encrypting anything: a failed call changes no state.
  size_t total = 0;
  for (size_t i = 0; i < slices.size(); i++) {
    if (slices[i].len > BIP324_MAX_CONTENTS) {
      ThrowInvalid(env, "items[" + std::to_string(i) + "] is over " + std::to_string(BIP324_MAX_CONTENTS) + " bytes");
      return env.Undefined();
    }
    total += slices[i].len + BIP324_EXPANSION;
  }
  if (out.len != total) {
    ThrowInvalid(env, "out must be " + std::to_string(total) + " bytes");
    return env.Undefined();
  }
  bip324_encrypt_batch(c, out.data, slices.data(), slices.size(), nullptr);
  return env.Undefined();
}

// decryptBatch(cipher, plain, meta, input, maxContents): number, a bip324_batch_status.
// meta (Uint32Array) receives [npackets, consumed, pendingLength, hasPending, then per packet:
// offset, length, header]; its length bounds how many packets one call decrypts.
Napi::Value DecryptBatch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t max_contents;
  if (!Uint(env, info[4], "maxContents", BIP324_MAX_CONTENTS, &max_contents)) return env.Undefined();
  bip324_cipher *c = Cipher(info);
  View plain, in;
  if (c == nullptr || !AnyBytes(env, info[1], "plain", &plain)) return env.Undefined();
  napi_typedarray_type type;
  size_t nwords;
  void *raw;
  if (napi_get_typedarray_info(env, info[2], &type, &nwords, &raw, nullptr, nullptr) != napi_ok ||
      type != napi_uint32_array || nwords < 4) {
    ThrowInvalid(env, "meta must be a Uint32Array of at least 4 elements");
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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (!InitInstance(env)) return exports;
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
      {"keygen", Keygen},               {"ecdh", Ecdh},
      {"keySchedule", KeySchedule},
      {"cipherCreate", CipherCreate},   {"cipherDestroy", CipherDestroy},   {"cipherProvider", CipherProvider},
      {"encrypt", Encrypt},             {"encryptAsync", EncryptAsync},     {"decryptLength", DecryptLength},
      {"decrypt", Decrypt},
      {"encryptBatch", EncryptBatch},   {"decryptBatch", DecryptBatch},
      {"setErrorClass", SetErrorClass},
  };
  CipherTable *table = new CipherTable();
  randombytes_buf(&table->first_generation, sizeof table->first_generation);
  // A runtime without cleanup hooks keeps the table (a few bytes per cipher ever live) to the end.
  (void)napi_add_env_cleanup_hook(env, [](void *t) { Unref(static_cast<CipherTable *>(t)); }, table);
  for (const auto &f : functions) exports.Set(f.first, Napi::Function::New(env, f.second, f.first, table));
  return exports;
}

}  // namespace

NODE_API_MODULE(bip324, Init)
