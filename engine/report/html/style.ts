/**
 * The HTML report's style sheet: light, system fonts only (a font by URL would be a request),
 * tabular figures. Colours of bands and verdicts come from the charts' palette so a table row,
 * a legend swatch and a shaded band of the same kind look the same.
 */
import { BAND_COLORS, COLORS } from './chart-spec.js';

export const PAGE_CSS = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6472; --line: #dde1e7; --panel: #f5f6f8; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 1.5rem; margin: 0 0 2px; }
h2 { font-size: 1.15rem; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.subtitle { color: var(--muted); margin: 0 0 8px; overflow-wrap: anywhere; }
.verdicts { list-style: none; padding: 0; margin: 12px 0; }
.verdicts li { padding: 7px 12px; margin: 6px 0; background: var(--panel); border-left: 4px solid ${COLORS.achieved}; border-radius: 3px; }
.verdicts li.warn { border-left-color: ${COLORS.marker}; }
.headline { padding: 12px 16px; margin: 12px 0; border-radius: 4px; border-left: 6px solid; background: var(--panel); }
.headline .big { font-size: 1.45rem; font-weight: 650; }
.headline.broke { border-color: ${COLORS.marker}; background: ${BAND_COLORS.broke}; }
.headline.generator-limited { border-color: #6e6e8c; background: ${BAND_COLORS['generator-limited']}; }
.headline.held { border-color: ${COLORS.p50}; }
.drift { padding: 8px 12px; margin: 12px 0; background: var(--panel); border-radius: 3px; border-left: 4px solid ${COLORS.p50}; }
.drift.degrading { border-left-color: ${COLORS.marker}; }
.drift ul { margin: 4px 0 8px; }
table { border-collapse: collapse; margin: 12px 0 16px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { padding: 3px 8px; text-align: right; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; color: var(--muted); }
th:first-child, td:first-child, td.text { text-align: left; }
td.text { white-space: normal; min-width: 14em; }
#steps th:last-child { text-align: left; }
table.parameters th { text-align: left; }
table.parameters td { text-align: left; white-space: normal; overflow-wrap: anywhere; }
tr.broke td { background: ${BAND_COLORS.broke}; }
tr.generator-limited td { background: ${BAND_COLORS['generator-limited']}; }
.chart { margin: 8px 0 24px; min-height: 60px; }
.no-script { color: var(--muted); font-style: italic; }
.key { list-style: none; padding: 0; margin: 0 0 8px; display: flex; flex-wrap: wrap; gap: 6px 22px; color: var(--muted); font-size: 0.9rem; }
.swatch { display: inline-block; width: 22px; height: 12px; margin-right: 6px; vertical-align: -1px; border: 1px solid rgba(0, 0, 0, 0.15); }
.swatch.broke { background: ${BAND_COLORS.broke}; }
.swatch.generator-limited { background: ${BAND_COLORS['generator-limited']}; }
.swatch.outage { background: ${BAND_COLORS.outage}; }
.swatch.marker { height: 0; border: 0; border-top: 2px dashed ${COLORS.marker}; vertical-align: 3px; }
pre { background: var(--panel); padding: 12px 14px; overflow-x: auto; border-radius: 3px; font: 12.5px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85rem; }
.uplot { font-family: inherit; }
.u-title { font-size: 15px; font-weight: 600; text-align: left; }
`;
