/* The win32-x64 prebuild's counterpart of node-gyp's src/win_delay_load_hook.cc (which is for MSVC
 * only): the addon imports Node-API from "node.exe" through a delay-load import library, and this
 * hook hands the delay-load helper the running process (or libnode.dll) when it asks for node.exe,
 * so the addon also loads in a renamed node.exe and in hosts that embed Node, as node-gyp builds do.
 *
 * mingw-w64's delay-load helper (libmingwex's delayimp) defines __pfnDliNotifyHook2 itself, so it
 * is set here at DLL attach (a constructor runs before node calls napi_register_module_v1, the first
 * moment a delay-loaded import can be resolved) rather than defined. */

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <delayimp.h>
#include <string.h>

#ifndef HOST_BINARY
#define HOST_BINARY "node.exe"
#endif

static FARPROC WINAPI load_exe_hook(unsigned int event, DelayLoadInfo *info) {
    HMODULE m;
    if (event != dliNotePreLoadLibrary) return NULL;
    if (_stricmp(info->szDll, HOST_BINARY) != 0) return NULL;
    m = GetModuleHandleA("libnode.dll");
    if (m == NULL) m = GetModuleHandleA(NULL);
    return (FARPROC)m;
}

__attribute__((constructor)) static void install_load_exe_hook(void) {
    __pfnDliNotifyHook2 = load_exe_hook;
}
