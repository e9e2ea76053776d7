//! Bar and stacked bar charts as inline SVG, written at build time (no
//! script, no crate): `<svg role="img" aria-labelledby>` with a `<title>` and
//! a `<desc>` that says every figure in words, horizontal bars (long Japanese
//! labels fit at 375 px), an axis with ticks, value labels and a legend.
//!
//! Readable without colour: every segment has a dark outline, every second
//! series is hatched (the legend shows the same swatch), and each value label
//! takes black or white, whichever contrasts more with its segment (≥ 4.58:1
//! for any fill). Each bar segment carries `data-value`, each bar `data-sum`,
//! so tests read the figures back from the SVG. A leaf module: it knows
//! colours and numbers, not the kinds of data.

use std::fmt::Write as _;

/// The viewBox width: about a phone's content width, so text stays near its
/// written size at 375 px (the CSS caps the width on larger screens).
const WIDTH: f64 = 360.0;
const FONT: f64 = 14.0;
const TICK_FONT: f64 = 12.0;
const BAR: f64 = 20.0;
const ROW_GAP: f64 = 8.0;
const GAP: f64 = 8.0;
/// The outline of every bar segment and legend swatch: contrast ≥ 3:1 with
/// white and with every palette colour lighter than it (WCAG 1.4.11).
pub const OUTLINE: &str = "#1a1a1a";
const GRID: &str = "#b0b0b0";

/// One series: its name, fill (`#rrggbb`) and whether it is hatched.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub fill: String,
}

/// One bar: its label and one value per series; `mark` adds 「※」 after its
/// total (the page explains it, e.g. a report's total that differs).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub values: Vec<u64>,
    pub mark: bool,
}

/// What a chart shows. `id` is a slug (element ids derive from it).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub unit: String,
    /// Stacked bars (one segment per series) or plain bars (one series).
    pub stacked: bool,
    pub series: Vec<Series>,
    pub rows: Vec<Row>,
}

/// `1354` → `1,354`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `&`, `<`, `>`, `"` and `'` escaped: text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `#rrggbb` → (r, g, b), or `None`.
pub fn parse_hex(hex: &str) -> Option<(u8, u8, u8)> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

/// WCAG relative luminance of `#rrggbb` (black for a malformed colour).
pub fn luminance(hex: &str) -> f64 {
    let Some((r, g, b)) = parse_hex(hex) else {
        return 0.0;
    };
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG contrast ratio of two colours (1 … 21).
pub fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Black or white, whichever reads better on `fill`.
pub fn text_on(fill: &str) -> &'static str {
    if contrast(fill, "#000000") >= contrast(fill, "#ffffff") {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// The width text takes, roughly: a full-width character is one em, others
/// 0.65 (BIZ UDPGothic's digits are a little wider than half an em).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.65 } else { 1.0 })
        .sum::<f64>()
        * size
}

/// A number for SVG coordinates: two decimals, no trailing zeros.
fn n(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The axis: a "nice" step (1, 2 or 5 × 10ⁿ) giving at most 5 intervals, and
/// the axis end (a multiple of the step, ≥ `max`, never 0).
pub fn ticks(max: u64) -> (u64, u64) {
    let max = max.max(1);
    let mut magnitude: u64 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if max.div_ceil(step) <= 5 {
                return (step, max.div_ceil(step) * step);
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

impl Chart {
    fn sums(&self) -> Vec<u64> {
        self.rows
            .iter()
            .map(|r| r.values.iter().copied().fold(0u64, u64::saturating_add))
            .collect()
    }

    fn title_id(&self) -> String {
        format!("chart-{}-title", self.id)
    }

    fn desc_id(&self) -> String {
        format!("chart-{}-desc", self.id)
    }

    fn hatch_id(&self, series: usize) -> String {
        format!("chart-{}-hatch-{series}", self.id)
    }

    /// Every second series is hatched: neighbours differ without colour too.
    fn hatched(&self, series: usize) -> bool {
        self.stacked && series % 2 == 1
    }

    /// The fill attribute of a series (its colour, or its hatch pattern).
    fn paint(&self, series: usize) -> String {
        if self.hatched(series) {
            format!("url(#{})", self.hatch_id(series))
        } else {
            escape(&self.series[series].fill)
        }
    }

    /// The figures in words: each bar, its total and its parts.
    pub fn description(&self) -> String {
        let unit = &self.unit;
        let mut out = format!("{}。単位: {unit}。", self.title);
        for (row, sum) in self.rows.iter().zip(self.sums()) {
            if self.stacked {
                let parts: Vec<String> = self
                    .series
                    .iter()
                    .zip(&row.values)
                    .map(|(s, v)| format!("{} {}{unit}", s.name, group_digits(*v)))
                    .collect();
                let _ = write!(
                    out,
                    "{}: 計 {}{unit} ({})。",
                    row.label,
                    group_digits(sum),
                    parts.join("、")
                );
            } else {
                let _ = write!(out, "{}: {}{unit}。", row.label, group_digits(sum));
            }
        }
        if !self.stacked && self.rows.len() > 1 {
            let all = self.sums().into_iter().fold(0u64, u64::saturating_add);
            let _ = write!(out, "合計 {}{unit}。", group_digits(all));
        }
        out
    }

    /// The whole `<svg>` element.
    pub fn svg(&self) -> String {
        let layout = Layout::of(self);
        let mut body = String::new();
        let mut y = 4.0;
        if self.stacked {
            y = self.legend(&mut body, y);
        }
        let top = y;
        for (row, sum) in self.rows.iter().zip(self.sums()) {
            y = self.bar(&mut body, &layout, row, sum, y);
        }
        let height = self.axis(&mut body, &layout, top, y);
        let total = self.sums().into_iter().fold(0u64, u64::saturating_add);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" \
             aria-labelledby=\"{t} {d}\" viewBox=\"0 0 {w} {h}\" data-chart=\"{id}\" \
             data-total=\"{total}\"><title id=\"{t}\">{title}</title><desc id=\"{d}\">{desc}</desc>\
             {defs}{body}</svg>",
            t = self.title_id(),
            d = self.desc_id(),
            w = n(WIDTH),
            h = n(height),
            id = escape(&self.id),
            title = escape(&self.title),
            desc = escape(&self.description()),
            defs = self.defs(),
        )
    }

    /// The hatch patterns: the series colour crossed by lines in the colour
    /// that contrasts with it, at an angle of its own (45°, 135°, 0°, 90° in
    /// turn), so hatched series differ from each other in greyscale too.
    fn defs(&self) -> String {
        const ANGLES: [u32; 4] = [45, 135, 0, 90];
        let mut out = String::new();
        for (i, s) in self.series.iter().enumerate() {
            if !self.hatched(i) {
                continue;
            }
            let _ = write!(
                out,
                "<pattern id=\"{id}\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" \
                 patternTransform=\"rotate({angle})\"><rect width=\"6\" height=\"6\" fill=\"{fill}\"/>\
                 <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{line}\" stroke-width=\"2\"/></pattern>",
                id = self.hatch_id(i),
                angle = ANGLES[(i / 2) % ANGLES.len()],
                fill = escape(&s.fill),
                line = text_on(&s.fill),
            );
        }
        if out.is_empty() {
            out
        } else {
            format!("<defs>{out}</defs>")
        }
    }

    /// The legend, item after item, wrapping at the width; returns the next y.
    fn legend(&self, out: &mut String, y: f64) -> f64 {
        let (mut x, mut y) = (0.0, y);
        out.push_str("<g class=\"legend\">");
        for (i, s) in self.series.iter().enumerate() {
            let w = 14.0 + 4.0 + text_width(&s.name, FONT) + 12.0;
            if x > 0.0 && x + w > WIDTH {
                x = 0.0;
                y += FONT + 8.0;
            }
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{ry}\" width=\"14\" height=\"14\" fill=\"{paint}\" stroke=\"{OUTLINE}\"/>\
                 <text x=\"{tx}\" y=\"{ty}\" font-size=\"{FONT}\">{name}</text>",
                x = n(x),
                ry = n(y),
                paint = self.paint(i),
                tx = n(x + 18.0),
                ty = n(y + 12.0),
                name = escape(&s.name),
            );
            x += w;
        }
        out.push_str("</g>");
        y + FONT + 14.0
    }

    /// One bar (its label, segments, value labels); returns the next y.
    fn bar(&self, out: &mut String, l: &Layout, row: &Row, sum: u64, y: f64) -> f64 {
        let _ = write!(
            out,
            "<g class=\"bar\" data-label=\"{}\" data-sum=\"{sum}\">",
            escape(&row.label)
        );
        let (label_y, bar_y) = if l.labels_above {
            (y + FONT, y + FONT + 4.0)
        } else {
            (y + BAR / 2.0 + FONT * 0.35, y)
        };
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"{FONT}\">{}</text>",
            n(label_y),
            escape(&row.label)
        );
        let mut x = l.bars_x;
        for (i, v) in row.values.iter().enumerate().take(self.series.len()) {
            let w = *v as f64 * l.scale;
            self.segment(out, i, *v, x, bar_y, w);
            x += w;
        }
        let mut end_label = group_digits(sum);
        if row.mark {
            end_label.push('※');
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{FONT}\" class=\"sum\">{}</text></g>",
            n(x + 4.0),
            n(bar_y + BAR / 2.0 + FONT * 0.35),
            escape(&end_label)
        );
        bar_y + BAR + ROW_GAP
    }

    /// One segment, with its value inside when it fits (stacked charts; a
    /// plain bar's value is its sum, written after it).
    fn segment(&self, out: &mut String, i: usize, v: u64, x: f64, y: f64, w: f64) {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BAR}\" fill=\"{}\" stroke=\"{OUTLINE}\" \
             stroke-width=\"1\" data-series=\"{}\" data-value=\"{v}\"/>",
            n(x),
            n(y),
            n(w),
            self.paint(i),
            escape(&self.series[i].name),
        );
        let text = group_digits(v);
        // Hatched segments get no label inside: lines behind text hurt reading.
        if self.stacked && !self.hatched(i) && text_width(&text, TICK_FONT) + 6.0 <= w {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" font-size=\"{TICK_FONT}\" text-anchor=\"middle\" fill=\"{}\">{text}</text>",
                n(x + w / 2.0),
                n(y + BAR / 2.0 + TICK_FONT * 0.35),
                text_on(&self.series[i].fill),
            );
        }
    }

    /// Grid lines and the axis below the bars, with tick labels and the unit;
    /// returns the SVG's height.
    fn axis(&self, out: &mut String, l: &Layout, top: f64, bottom: f64) -> f64 {
        let mut grid = String::from("<g class=\"axis\">");
        let mut t = 0;
        while t <= l.axis_end {
            let x = l.bars_x + t as f64 * l.scale;
            // A label centred on x = 0 would be cut in half by the edge.
            let anchor = if x < 10.0 { "start" } else { "middle" };
            let _ = write!(
                grid,
                "<line x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{y2}\" stroke=\"{GRID}\" stroke-width=\"0.5\"/>\
                 <line x1=\"{x}\" y1=\"{bottom}\" x2=\"{x}\" y2=\"{tick}\" stroke=\"{OUTLINE}\"/>\
                 <text x=\"{x}\" y=\"{ty}\" font-size=\"{TICK_FONT}\" text-anchor=\"{anchor}\">{label}</text>",
                x = n(x),
                top = n(top),
                y2 = n(bottom),
                bottom = n(bottom),
                tick = n(bottom + 4.0),
                ty = n(bottom + 6.0 + TICK_FONT),
                label = group_digits(t),
            );
            t += l.step;
        }
        let _ = write!(
            grid,
            "<line x1=\"{x}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"{OUTLINE}\"/>\
             <text x=\"{x2}\" y=\"{uy}\" font-size=\"{TICK_FONT}\" text-anchor=\"end\">({unit})</text></g>",
            x = n(l.bars_x),
            x2 = n(l.bars_x + l.axis_end as f64 * l.scale),
            y = n(bottom),
            uy = n(bottom + 8.0 + 2.0 * TICK_FONT),
            unit = escape(&self.unit),
        );
        // The grid goes first so the bars are drawn over it.
        let at = out.find("<g class=\"bar\"").unwrap_or(out.len());
        out.insert_str(at, &grid);
        bottom + 14.0 + 2.0 * TICK_FONT
    }
}

/// Where the bars start, how long a unit is, the axis.
struct Layout {
    labels_above: bool,
    bars_x: f64,
    scale: f64,
    step: u64,
    axis_end: u64,
}

impl Layout {
    fn of(chart: &Chart) -> Layout {
        let longest = chart
            .rows
            .iter()
            .map(|r| text_width(&r.label, FONT))
            .fold(0.0, f64::max);
        // A label longer than 40% of the width goes above its bar.
        let labels_above = longest > WIDTH * 0.4;
        let bars_x = if labels_above { 0.0 } else { longest + GAP };
        let max = chart.sums().into_iter().max().unwrap_or(0);
        let (step, axis_end) = ticks(max);
        let sum_label = text_width(&format!("{}※", group_digits(max)), FONT) + GAP;
        // The widest tick label (the axis end) is centred on the end: half of it must fit.
        let room = (WIDTH - bars_x - sum_label).max(WIDTH * 0.3);
        Layout {
            labels_above,
            bars_x,
            scale: room / axis_end as f64,
            step,
            axis_end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consultations() -> Chart {
        Chart {
            id: "consultations".into(),
            title: "相談件数".into(),
            unit: "件".into(),
            stacked: true,
            series: vec![
                Series {
                    name: "医療機関".into(),
                    fill: "#1565C0".into(),
                },
                Series {
                    name: "訪問<看護>".into(),
                    fill: "#FFF8E1".into(),
                },
            ],
            rows: vec![
                Row {
                    label: "R6年度".into(),
                    values: vec![404, 503],
                    mark: false,
                },
                Row {
                    label: "R7年度".into(),
                    values: vec![310, 383],
                    mark: true,
                },
            ],
        }
    }

    /// The `name="…"` attribute values of every element that has it, in order.
    fn attrs(svg: &str, name: &str) -> Vec<String> {
        let key = format!(" {name}=\"");
        svg.match_indices(&key)
            .map(|(i, _)| {
                let rest = &svg[i + key.len()..];
                rest[..rest.find('"').expect("closing quote")].to_string()
            })
            .collect()
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1354), "1,354");
        assert_eq!(group_digits(1_000_000), "1,000,000");
    }

    #[test]
    fn ticks_are_nice_and_cover_the_maximum() {
        assert_eq!(ticks(0), (1, 1));
        assert_eq!(ticks(515), (200, 600));
        assert_eq!(ticks(1354), (500, 1500));
        assert_eq!(ticks(1730), (500, 2000));
        assert_eq!(ticks(106), (50, 150));
        for max in [1, 7, 99, 1088, 123_456, u64::MAX / 2] {
            let (step, end) = ticks(max);
            assert!(end >= max && end / step <= 5, "{max}: {step} {end}");
        }
    }

    #[test]
    fn segments_carry_the_values_and_lengths_are_proportional() {
        let chart = consultations();
        let svg = chart.svg();
        let values: Vec<u64> = attrs(&svg, "data-value")
            .iter()
            .map(|v| v.parse().expect("number"))
            .collect();
        assert_eq!(values, vec![404, 503, 310, 383]);
        assert_eq!(attrs(&svg, "data-sum"), vec!["907", "693"]);
        assert_eq!(attrs(&svg, "data-total"), vec!["1600"]);
        // Segment widths: value × one scale (±0.01 for rounding).
        let rects: Vec<(f64, f64)> = svg
            .split("<rect ")
            .filter(|r| r.contains("data-value"))
            .map(|r| {
                let w: f64 = attrs(&format!(" {r}"), "width")[0].parse().expect("width");
                let v: f64 = attrs(&format!(" {r}"), "data-value")[0]
                    .parse()
                    .expect("value");
                (w, v)
            })
            .collect();
        let scale = rects[0].0 / rects[0].1;
        for (w, v) in rects {
            assert!((w - v * scale).abs() < 0.01, "{w} vs {v}");
        }
    }

    #[test]
    fn svg_is_labelled_and_escaped() {
        let svg = consultations().svg();
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains("role=\"img\""));
        assert!(
            svg.contains("aria-labelledby=\"chart-consultations-title chart-consultations-desc\"")
        );
        assert!(svg.contains("<title id=\"chart-consultations-title\">相談件数</title>"));
        assert!(svg.contains("訪問&lt;看護&gt;"));
        assert!(!svg.contains("<看護>"));
        // The desc says every figure, and the mark follows the marked total.
        let desc = consultations().description();
        assert!(desc.contains("R6年度: 計 907件 (医療機関 404件、訪問<看護> 503件)"));
        assert!(svg.contains(">693※<"));
        // The second series is hatched, in the legend and in the bars alike.
        assert_eq!(
            svg.matches("fill=\"url(#chart-consultations-hatch-1)\"")
                .count(),
            3
        );
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast("#777777", "#777777") - 1.0).abs() < 1e-9);
        // Any fill gets a text colour of at least 4.5:1.
        for fill in ["#F9A825", "#1565C0", "#767676", "#808080", "#FFF8E1"] {
            assert!(contrast(fill, text_on(fill)) >= 4.5, "{fill}");
        }
        assert_eq!(parse_hex("#12345"), None);
        assert_eq!(parse_hex("#1234zz"), None);
    }

    #[test]
    fn long_labels_go_above_and_plain_bars_have_no_legend() {
        let chart = Chart {
            id: "x".into(),
            title: "t".into(),
            unit: "名".into(),
            stacked: false,
            series: vec![Series {
                name: "参加人数".into(),
                fill: "#2E7D32".into(),
            }],
            rows: vec![Row {
                label: "とても長い研修会の名前がここに入ります、とても長い".into(),
                values: vec![0],
                mark: false,
            }],
        };
        let svg = chart.svg();
        assert!(!svg.contains("class=\"legend\""));
        // The label's baseline (4 + 14) is above its bar (from y = 22).
        assert!(
            svg.contains("<text x=\"0\" y=\"18\" font-size=\"14\">とても長い"),
            "{svg}"
        );
        assert!(svg.contains("<rect x=\"0\" y=\"22\""), "{svg}");
        assert!(svg.contains("data-value=\"0\""));
    }
}
