/** A dependency-free SVG line chart: throughput against packet size, both on log scales. */

export interface Series {
  name: string
  /** [contents bytes, MB/s] */
  points: Array<[number, number]>
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f']

export function chart (title: string, series: Series[]): string {
  const W = 900
  const H = 520
  const M = { left: 80, right: 220, top: 50, bottom: 60 }
  const all = series.flatMap((s) => s.points)
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))]
  const y0 = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p[1]))))
  const y1 = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p[1]))))
  const sx = (x: number): number => M.left + (Math.log(x / x0) / Math.log(x1 / x0)) * (W - M.left - M.right)
  const sy = (y: number): number => H - M.bottom - (Math.log(y / y0) / Math.log(y1 / y0)) * (H - M.top - M.bottom)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${W / 2 - M.right / 2}" y="24" text-anchor="middle" font-size="15">${title}</text>`
  ]
  for (let y = y0; y <= y1 * 1.0001; y *= 10) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${sy(y) + 4}" text-anchor="end">${y >= 1 ? y.toLocaleString('en-US') : y}</text>`)
  }
  for (const x of [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b)) {
    const label = x >= 1 << 20 ? `${(x / (1 << 20)).toFixed(x % (1 << 20) === 0 ? 0 : 1)} MiB` : x >= 1024 ? `${x / 1024} KiB` : `${x} B`
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`,
      `<text x="${sx(x)}" y="${H - M.bottom + 18}" text-anchor="middle">${label}</text>`)
  }
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 15}" text-anchor="middle">packet contents</text>`,
    `<text transform="translate(20 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">MB/s of contents through encrypt + decrypt</text>`)
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!
    const path = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`,
      ...s.points.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`),
      `<line x1="${W - M.right + 15}" x2="${W - M.right + 40}" y1="${M.top + 20 * i}" y2="${M.top + 20 * i}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${W - M.right + 46}" y="${M.top + 20 * i + 4}">${s.name}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
