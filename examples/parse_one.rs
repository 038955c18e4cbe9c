//! Parse one snapshot file and print what snapscope extracted (debug aid).

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]
fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_one FILE");
    let bytes = std::fs::read(&path).expect("read");
    let stem = std::path::Path::new(&path)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let opts = snapscope::parse::ParseOptions {
        tz: snapscope::parse::TimeZoneChoice::Utc,
    };
    match snapscope::parse::parse_snapshot(&bytes, &stem, "p", &opts) {
        Ok(s) => println!("{}", serde_json::to_string_pretty(&s).unwrap()),
        Err(e) => println!("error: {e}"),
    }
}
