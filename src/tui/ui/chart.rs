//! A time chart: ratatui's `Chart` for the data, with our own y labels on
//! the left and time labels at the bottom, so callers know exactly which cell
//! a point lands in (for failure marks and the cursor). Long series are
//! thinned to what the braille grid can show (first, min, max, last per
//! column of dots), so drawing cost does not grow with the number of points.

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Widget};

use crate::parse::TimeZoneChoice;
use crate::tui::fmt;
use crate::tui::theme::Theme;
use crate::tui::ui::widgets::put;

/// Colours of overlaid series, in order (the mono theme uses none).
pub const PALETTE: [Color; 4] = [Color::Cyan, Color::Yellow, Color::Magenta, Color::Green];

/// Style of the `i`-th series.
pub fn series_style(th: &Theme, i: usize) -> Style {
    if th.kind == crate::tui::theme::ThemeKind::Mono {
        Style::default()
    } else {
        Style::default().fg(th.color(PALETTE[i % PALETTE.len()]))
    }
}

/// One line to draw.
pub struct ChartLine<'a> {
    pub data: &'a [(f64, f64)],
    pub style: Style,
    pub graph: GraphType,
}

/// Where the data landed: the graph area and its bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    pub graph: Rect,
    pub x: [f64; 2],
    pub y: [f64; 2],
}

impl Plot {
    /// The cell of a data point (clamped into the graph).
    pub fn cell(&self, x: f64, y: f64) -> Option<(u16, u16)> {
        if self.graph.width == 0 || self.graph.height == 0 || !x.is_finite() || !y.is_finite() {
            return None;
        }
        let fx = ((x - self.x[0]) / (self.x[1] - self.x[0])).clamp(0.0, 1.0);
        let fy = ((y - self.y[0]) / (self.y[1] - self.y[0])).clamp(0.0, 1.0);
        let col = (fx * (self.graph.width - 1) as f64).round() as u16;
        let row = (fy * (self.graph.height - 1) as f64).round() as u16;
        Some((
            self.graph.x + col,
            self.graph.y + self.graph.height - 1 - row,
        ))
    }
}

/// Seconds since the epoch as a chart coordinate.
pub fn tx(t: DateTime<Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

/// Y bounds with a little headroom; a flat series gets a band around its
/// value. Values that are never negative never get an axis below zero.
pub fn y_bounds(values: impl Iterator<Item = f64>) -> Option<[f64; 2]> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return None;
    }
    let floor = |b: f64| if lo >= 0.0 { b.max(0.0) } else { b };
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return Some([floor(lo - pad), hi + pad]);
    }
    let pad = (hi - lo) * 0.05;
    Some([floor(lo - pad), hi + pad])
}

/// The width of the y-label gutter for bounds `y` (labels and the axis line).
pub fn gutter(y: [f64; 2]) -> u16 {
    [y[1], (y[0] + y[1]) / 2.0, y[0]]
        .map(fmt::num)
        .iter()
        .map(|l| fmt::width(l))
        .max()
        .unwrap_or(1)
        .min(9) as u16
        + 1
}

/// How [`draw_with`] lays out its axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axes {
    /// Time labels on the bottom row (small multiples label only the last).
    pub time_labels: bool,
    /// A fixed y-label gutter, so stacked charts line up; `None` fits the labels.
    pub gutter: Option<u16>,
}

/// X bounds that are never empty.
pub fn x_bounds(lo: f64, hi: f64) -> [f64; 2] {
    if hi - lo < 1.0 {
        [lo - 1800.0, hi + 1800.0]
    } else {
        [lo, hi]
    }
}

/// Thin `data` (sorted by x) to at most ~4 points per dot column of `cols`
/// columns over `x`: the first, lowest, highest and last point of each.
pub fn decimate(data: &[(f64, f64)], x: [f64; 2], cols: usize) -> Vec<(f64, f64)> {
    if cols == 0 || data.len() <= cols * 4 {
        return data.to_vec();
    }
    let span = (x[1] - x[0]).max(f64::MIN_POSITIVE);
    let bucket = |px: f64| (((px - x[0]) / span) * (cols - 1) as f64).round() as i64;
    let mut out = Vec::with_capacity(cols * 4);
    let mut i = 0;
    while i < data.len() {
        let b = bucket(data[i].0);
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < data.len() && bucket(data[j].0) == b {
            if data[j].1 < data[lo].1 {
                lo = j;
            }
            if data[j].1 > data[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let last = j - 1;
        let mut keep = [i, lo, hi, last];
        keep.sort_unstable();
        let mut prev = usize::MAX;
        for k in keep {
            if k != prev {
                out.push(data[k]);
                prev = k;
            }
        }
        i = j;
    }
    out
}

/// A time label format that suits the span shown.
fn time_pattern(span_secs: f64) -> &'static str {
    if span_secs > 300.0 * 86_400.0 {
        "%Y-%m-%d"
    } else if span_secs > 2.0 * 86_400.0 {
        "%m-%d %H:%M"
    } else {
        "%d %H:%M"
    }
}

/// Draw lines into `area` with axes; returns where the data landed.
#[allow(clippy::too_many_arguments)]
pub fn draw(
    area: Rect,
    buf: &mut Buffer,
    th: &Theme,
    tz: TimeZoneChoice,
    lines: &[ChartLine<'_>],
    x: [f64; 2],
    y: [f64; 2],
    marker: Marker,
) -> Option<Plot> {
    let axes = Axes {
        time_labels: true,
        gutter: None,
    };
    draw_with(area, buf, th, tz, lines, x, y, marker, axes)
}

/// [`draw`] with the axes laid out as `axes` says.
#[allow(clippy::too_many_arguments)]
pub fn draw_with(
    area: Rect,
    buf: &mut Buffer,
    th: &Theme,
    tz: TimeZoneChoice,
    lines: &[ChartLine<'_>],
    x: [f64; 2],
    y: [f64; 2],
    marker: Marker,
    axes: Axes,
) -> Option<Plot> {
    let time_rows = u16::from(axes.time_labels);
    let min_height = if axes.time_labels { 3 } else { 1 };
    if area.width < 12 || area.height < min_height {
        return None;
    }
    let ell = th.ellipsis();
    let labels = [y[1], (y[0] + y[1]) / 2.0, y[0]].map(fmt::num);
    let gutter = axes.gutter.unwrap_or_else(|| gutter(y)).min(area.width / 2);
    let graph = Rect::new(
        area.x + gutter,
        area.y,
        area.width - gutter,
        area.height - time_rows,
    );
    // Y labels: max at the top, middle, min at the bottom.
    let gut = Rect::new(area.x, area.y, gutter, graph.height);
    let rows = [0, graph.height / 2, graph.height.saturating_sub(1)];
    for (i, (l, r)) in labels.iter().zip(rows).enumerate() {
        if (graph.height < 5 && i == 1) || (graph.height < 2 && i == 2) {
            continue;
        }
        put(
            buf,
            gut,
            r,
            Line::styled(fmt::pad_left(l, (gutter - 1) as usize, ell), th.dim()),
        );
    }
    let axis = if th.ascii { "|" } else { "│" };
    for r in 0..graph.height {
        buf.set_string(area.x + gutter - 1, area.y + r, axis, th.dim());
    }
    // Time labels along the bottom.
    if !axes.time_labels {
        return Some(finish(graph, buf, lines, x, y, marker));
    }
    let pat = time_pattern(x[1] - x[0]);
    let lw = fmt::width(&fmt::time(tz, DateTime::<Utc>::UNIX_EPOCH, pat)) as u16;
    let n = (graph.width / (lw + 4)).clamp(2, 6);
    let mut next_free = graph.x;
    let row = area.y + area.height - 1;
    for i in 0..n {
        let f = i as f64 / (n - 1) as f64;
        let secs = x[0] + f * (x[1] - x[0]);
        let Some(t) = DateTime::<Utc>::from_timestamp_millis((secs * 1000.0) as i64) else {
            continue;
        };
        let text = fmt::time(tz, t, pat);
        let center = graph.x as f64 + f * (graph.width.saturating_sub(1)) as f64;
        // A label wider than the chart starts at its left edge.
        let last_start = (graph.x + graph.width).saturating_sub(lw).max(graph.x);
        let start = (center - lw as f64 / 2.0)
            .round()
            .clamp(graph.x as f64, last_start as f64) as u16;
        if start < next_free {
            continue;
        }
        buf.set_string(start, row, &text, th.dim());
        next_free = start + lw + 1;
    }
    Some(finish(graph, buf, lines, x, y, marker))
}

fn finish(
    graph: Rect,
    buf: &mut Buffer,
    lines: &[ChartLine<'_>],
    x: [f64; 2],
    y: [f64; 2],
    marker: Marker,
) -> Plot {
    let datasets: Vec<Dataset> = lines
        .iter()
        .map(|l| {
            Dataset::default()
                .data(l.data)
                .marker(marker)
                .graph_type(l.graph)
                .style(l.style)
        })
        .collect();
    Chart::new(datasets)
        .x_axis(Axis::default().bounds(x))
        .y_axis(Axis::default().bounds(y))
        .legend_position(None)
        .render(graph, buf);
    Plot { graph, x, y }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_extremes_and_ends() {
        let data: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, if i == 5_000 { 100.0 } else { (i % 7) as f64 }))
            .collect();
        let d = decimate(&data, [0.0, 9_999.0], 100);
        assert!(d.len() <= 400, "{}", d.len());
        assert_eq!(d.first(), data.first());
        assert_eq!(d.last(), data.last());
        assert!(d.contains(&(5_000.0, 100.0)));
        assert!(d.windows(2).all(|w| w[0].0 <= w[1].0));
        // Short series pass through.
        assert_eq!(decimate(&data[..10], [0.0, 9.0], 100), data[..10].to_vec());
    }

    #[test]
    fn bounds_never_empty() {
        assert_eq!(y_bounds([2.0, 2.0].into_iter()), Some([1.8, 2.2]));
        assert_eq!(y_bounds([f64::NAN].into_iter()), None);
        // Never below zero for values that are never negative.
        let b = y_bounds([0.0, 10.0].into_iter()).unwrap();
        assert!(b[0] == 0.0 && b[1] > 10.0);
        assert_eq!(y_bounds([0.0].into_iter()), Some([0.0, 1.0]));
        let b = y_bounds([0.04, 0.11].into_iter()).unwrap();
        assert!(
            b[0] > 0.0 && b[0] < 0.04 && b[1] > 0.11 && b[1] < 0.2,
            "{b:?}"
        );
        let b = y_bounds([-1.0, 10.0].into_iter()).unwrap();
        assert!(b[0] < -1.0);
        assert_eq!(x_bounds(5.0, 5.0), [-1795.0, 1805.0]);
    }

    #[test]
    fn cells_map_corners() {
        let p = Plot {
            graph: Rect::new(10, 2, 50, 11),
            x: [0.0, 100.0],
            y: [0.0, 1.0],
        };
        assert_eq!(p.cell(0.0, 0.0), Some((10, 12)));
        assert_eq!(p.cell(100.0, 1.0), Some((59, 2)));
        assert_eq!(p.cell(f64::NAN, 1.0), None);
    }
}
