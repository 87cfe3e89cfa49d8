//! Small SVG charts for `hwlog analyze … --plot`: a scatter plot with its regression line,
//! and bars per time bucket with marked anomalies. Written by hand: a few shapes, no
//! library needed.
use std::fmt::Write as _;

const W: f64 = 900.0;
const H: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct Frame {
    x0: f64,
    x1: f64,
    y1: f64,
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        LEFT + (v - self.x0) / (self.x1 - self.x0).max(1e-12) * (W - LEFT - RIGHT)
    }
    fn y(&self, v: f64) -> f64 {
        H - BOTTOM - v / self.y1.max(1e-12) * (H - TOP - BOTTOM)
    }
}

fn open(title: &str, x_label: &str, y_label: &str, f: &Frame) -> String {
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{}</text>
<line x1="{LEFT}" y1="{b}" x2="{r}" y2="{b}" stroke="#333"/>
<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b}" stroke="#333"/>
<text x="{cx}" y="{xl}" text-anchor="middle">{}</text>
<text x="16" y="{cy}" text-anchor="middle" transform="rotate(-90 16 {cy})">{}</text>
"##,
        esc(title),
        esc(x_label),
        esc(y_label),
        b = H - BOTTOM,
        r = W - RIGHT,
        cx = (LEFT + W - RIGHT) / 2.0,
        xl = H - 12.0,
        cy = (TOP + H - BOTTOM) / 2.0,
    );
    for i in 0..=4 {
        let v = f.y1 * i as f64 / 4.0;
        let y = f.y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            short(v)
        );
    }
    for i in 0..=4 {
        let v = f.x0 + (f.x1 - f.x0) * i as f64 / 4.0;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            f.x(v),
            H - BOTTOM + 16.0,
            short(v)
        );
    }
    s
}

fn short(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Points (x, y) and the line `y = slope·x + intercept`.
pub fn scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    pts: &[(f64, f64)],
    slope: f64,
    intercept: f64,
) -> String {
    let x0 = pts
        .iter()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let x1 = pts
        .iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max)
        .max(x0 + 1e-9);
    let y1 = pts.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1;
    let f = Frame {
        x0,
        x1,
        y1: y1.max(1.0),
    };
    let mut s = open(title, x_label, y_label, &f);
    for &(x, y) in pts {
        let _ = writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="#2a6fb0"/>"##,
            f.x(x),
            f.y(y)
        );
    }
    let (ya, yb) = (slope * x0 + intercept, slope * x1 + intercept);
    let _ = writeln!(
        s,
        r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#d0342c" stroke-width="2"/>"##,
        f.x(x0),
        f.y(ya.max(0.0)),
        f.x(x1),
        f.y(yb.max(0.0))
    );
    s.push_str("</svg>\n");
    s
}

/// One bar per bucket (`values[i]` at `x0 + i·width`); buckets in `marked` are red.
pub fn bars(
    title: &str,
    x_label: &str,
    y_label: &str,
    x0: f64,
    width: f64,
    values: &[f64],
    marked: &[usize],
) -> String {
    let n = values.len().max(1) as f64;
    let y1 = values.iter().copied().fold(0.0, f64::max) * 1.1;
    let f = Frame {
        x0,
        x1: x0 + n * width,
        y1: y1.max(1.0),
    };
    let mut s = open(title, x_label, y_label, &f);
    let bw = ((W - LEFT - RIGHT) / n - 1.0).max(0.5);
    for (i, &v) in values.iter().enumerate() {
        let x = f.x(x0 + i as f64 * width);
        let y = f.y(v);
        let color = if marked.contains(&i) {
            "#d0342c"
        } else {
            "#2a6fb0"
        };
        let _ = writeln!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{:.1}" fill="{color}"/>"#,
            (H - BOTTOM - y).max(0.0)
        );
    }
    s.push_str("</svg>\n");
    s
}
