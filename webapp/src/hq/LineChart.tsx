// A small hand-drawn SVG line chart: one line per series over the same periods, gaps where
// nothing was measured, round y ticks, as many x labels as fit. It is a picture for the eye;
// the table next to it carries the same figures for screen readers and keyboards.
import { useEffect, useRef, useState } from "preact/hooks";
import { formatValue, periodName, periodTick, yDomain, niceTicks, type Grain } from "./model";

export interface ChartSeries {
  name: string;
  points: ReadonlyArray<{ period: string; value: number | null; n: number }>;
}

/** Okabe–Ito colours (told apart with colour-blindness too), the brand's first. */
export const SERIES_COLOURS = ["#0d5e50", "#d55e00", "#0072b2", "#cc79a7", "#8a6d00", "#56b4e9", "#000000"];

const MARGIN = { top: 12, right: 14, bottom: 30, left: 52 };

export function LineChart(props: {
  series: readonly ChartSeries[];
  unit: string;
  grain: Grain;
  locale: string;
  label: string;
  height?: number;
}) {
  const { series, unit, grain, locale } = props;
  const wrap = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(320);
  /** The period under the pointer or finger: a guide line and its values under the chart. */
  const [active, setActive] = useState<number | null>(null);
  const height = props.height ?? 220;

  useEffect(() => {
    const element = wrap.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(240, Math.round(element.getBoundingClientRect().width)));
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const periods = series[0]?.points.map((p) => p.period) ?? [];
  const values = series.flatMap((s) => s.points.map((p) => p.value));
  const [lo, hi] = yDomain(values, unit);
  const ticks = niceTicks(lo, hi).filter((v) => v >= lo && v <= hi);
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const x = (i: number) => MARGIN.left + (periods.length <= 1 ? innerW / 2 : (i * innerW) / (periods.length - 1));
  const y = (v: number) => MARGIN.top + innerH - ((v - lo) / (hi - lo || 1)) * innerH;
  const every = Math.max(1, Math.ceil(periods.length / Math.max(1, Math.floor(innerW / 64))));

  const pick = (event: PointerEvent) => {
    const svg = event.currentTarget as SVGSVGElement;
    const left = svg.getBoundingClientRect().left;
    const step = periods.length > 1 ? innerW / (periods.length - 1) : innerW;
    const i = Math.round((event.clientX - left - MARGIN.left) / (step || 1));
    setActive(periods.length ? Math.min(periods.length - 1, Math.max(0, i)) : null);
  };

  const path = (points: ChartSeries["points"]) => {
    let d = "";
    let pen = false;
    points.forEach((p, i) => {
      if (p.value === null) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`;
      pen = true;
    });
    return d;
  };

  return (
    <div class="hq-chart" ref={wrap}>
      <svg
        width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.label}
        onPointerMove={pick} onPointerDown={pick} onPointerLeave={(e) => e.pointerType === "mouse" && setActive(null)}
      >
        {ticks.map((v) => (
          <g key={v}>
            <line class="hq-grid" x1={MARGIN.left} x2={width - MARGIN.right} y1={y(v)} y2={y(v)} />
            <text class="hq-axis" x={MARGIN.left - 6} y={y(v)} dy="0.32em" text-anchor="end">
              {formatValue(v, unit, locale, true)}
            </text>
          </g>
        ))}
        {periods.map((period, i) =>
          i % every === 0 ? (
            <text
              key={period} class="hq-axis" x={x(i)} y={height - 8}
              text-anchor={periods.length > 1 && i === 0 ? "start" : x(i) > width - MARGIN.right - 30 ? "end" : "middle"}
            >
              {periodTick(period, grain, locale)}
            </text>
          ) : null,
        )}
        {active !== null && (
          <line class="hq-guide" x1={x(active)} x2={x(active)} y1={MARGIN.top} y2={MARGIN.top + innerH} />
        )}
        {series.map((s, k) => (
          <g key={s.name} style={{ color: SERIES_COLOURS[k % SERIES_COLOURS.length] }}>
            <path class="hq-line" d={path(s.points)} />
            {s.points.map((p, i) =>
              p.value === null ? null : (
                <circle key={p.period} class="hq-dot" cx={x(i)} cy={y(p.value)} r={i === active ? 6 : periods.length > 40 ? 2 : 3.5}>
                  <title>{`${s.name} · ${periodName(p.period, grain, locale)}: ${formatValue(p.value, unit, locale)} (n = ${p.n})`}</title>
                </circle>
              ),
            )}
          </g>
        ))}
      </svg>
      {active !== null && periods[active] && (
        <p class="hq-readout small" aria-hidden="true">
          <strong>{periodName(periods[active], grain, locale)}</strong>
        </p>
      )}
      {(series.length > 1 || active !== null) && (
        <ul class="hq-legend">
          {series.map((s, k) => {
            const point = active !== null ? s.points[active] : null;
            return (
              <li key={s.name}>
                <span class="hq-swatch" style={{ background: SERIES_COLOURS[k % SERIES_COLOURS.length] }} aria-hidden="true" />
                {s.name}
                {point && <strong class="hq-legend-value"> {formatValue(point.value, unit, locale)}</strong>}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
