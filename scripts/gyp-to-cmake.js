#!/usr/bin/env node
'use strict'
// Lets CMakeLists.txt build from the same source lists, defines and flags as binding.gyp, so the two
// builds cannot drift: the .gyp files stay the single source of truth.
// Reads binding.gyp and the deps/*.gyp it depends on (all written as JSON), resolves the gyp
// conditions for one OS and architecture, expands `<!@(...)` commands, and writes CMake set() lines.
// Usage: node scripts/gyp-to-cmake.js <out.cmake> <OS: linux|mac|win> <target_arch: x64|arm64|...>

const { execSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const LIST_KEYS = ['sources', 'defines', 'cflags', 'include_dirs', 'dependencies']

// gyp conditions here are terms like target_arch=='x64', joined by ' and ' / ' or '.
function evaluate (condition, vars) {
  return condition.split(' or ').some((any) => any.split(' and ').every((term) => {
    const m = /^\s*(\w+)\s*(==|!=)\s*'([^']*)'\s*$/.exec(term)
    if (!m || !(m[1] in vars)) throw new Error(`gyp-to-cmake: unsupported condition "${condition}"`)
    return (vars[m[1]] === m[3]) === (m[2] === '==')
  }))
}

function resolve (dict, vars) {
  const out = {}
  for (const [key, value] of Object.entries(dict)) {
    if (key === 'conditions' || key === 'target_conditions') continue
    out[key] = Array.isArray(value) ? [...value] : value
  }
  for (const [condition, then, otherwise] of dict.conditions || []) {
    const branch = evaluate(condition, vars) ? then : otherwise
    if (!branch) continue
    for (const [key, value] of Object.entries(resolve(branch, vars))) {
      out[key] = Array.isArray(value) ? [...(out[key] || []), ...value] : value
    }
  }
  return out
}

function expand (item) {
  const m = /^<!@\((.*)\)$/.exec(item)
  return m ? execSync(m[1], { cwd: ROOT, encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean) : [item]
}

function targets (gypFile, vars) {
  const gyp = JSON.parse(fs.readFileSync(path.join(ROOT, gypFile), 'utf8'))
  const defaults = resolve(gyp.target_defaults || {}, vars)
  const dir = path.dirname(path.join(ROOT, gypFile))
  return gyp.targets.map((raw) => {
    const early = resolve(raw, vars)
    // target_conditions come after the rest, and may ask for the target's _type.
    const late = resolve({ conditions: raw.target_conditions || [] }, { ...vars, _type: early.type || 'loadable_module' })
    const t = { ...early, ...late }
    const merged = {}
    for (const key of LIST_KEYS) merged[key] = [...(defaults[key] || []), ...(t[key] || [])].flatMap(expand)
    const dependent = resolve(t.direct_dependent_settings || {}, vars)
    return {
      name: t.target_name,
      type: t.type || 'loadable_module',
      sources: merged.sources.map((s) => path.join(dir, s)),
      defines: merged.defines,
      cflags: merged.cflags,
      includeDirs: merged.include_dirs.map((d) => path.join(dir, d)),
      dependencies: merged.dependencies.map((d) => d.split(':').pop()),
      libraries: (t.link_settings || {}).libraries || [],
      extension: t.product_extension || 'node', // addon.gypi's, unless a target's target_conditions say
      dependentDefines: dependent.defines || [],
      dependentIncludeDirs: (dependent.include_dirs || []).map((d) => path.join(dir, d))
    }
  })
}

function cmakeList (items) {
  return items.map((i) => `"${String(i).replace(/\\/g, '/').replace(/"/g, '\\"')}"`).join(' ')
}

function main () {
  const [out, os, arch] = process.argv.slice(2)
  if (!out || !os || !arch) throw new Error('usage: gyp-to-cmake.js <out.cmake> <OS> <target_arch>')
  const vars = { OS: os, target_arch: arch }
  const all = ['deps/secp256k1.gyp', 'deps/libsodium.gyp', 'binding.gyp'].flatMap((f) => targets(f, vars))
  const lines = [`set(GYP_TARGETS ${all.map((t) => t.name).join(' ')})`]
  for (const t of all) {
    lines.push(
      `set(GYP_${t.name}_TYPE ${t.type})`,
      `set(GYP_${t.name}_SOURCES ${cmakeList(t.sources)})`,
      `set(GYP_${t.name}_LIBRARIES ${cmakeList(t.libraries)})`,
      `set(GYP_${t.name}_EXTENSION ${cmakeList([t.extension])})`,
      `set(GYP_${t.name}_DEFINES ${cmakeList(t.defines)})`,
      `set(GYP_${t.name}_CFLAGS ${cmakeList(t.cflags)})`,
      `set(GYP_${t.name}_INCLUDE_DIRS ${cmakeList(t.includeDirs)})`,
      `set(GYP_${t.name}_DEPENDENCIES ${cmakeList(t.dependencies)})`,
      `set(GYP_${t.name}_DEPENDENT_DEFINES ${cmakeList(t.dependentDefines)})`,
      `set(GYP_${t.name}_DEPENDENT_INCLUDE_DIRS ${cmakeList(t.dependentIncludeDirs)})`
    )
  }
  fs.writeFileSync(out, lines.join('\n') + '\n')
}

if (require.main === module) main()

module.exports = { targets }
