//! The configuration file: `~/.config/snapscope/config.toml` (or
//! `$XDG_CONFIG_HOME/snapscope/config.toml`, or the file `$SNAPSCOPE_CONFIG`
//! names). Parsed with `toml` + serde into [`Config`]; unknown keys become
//! warnings, invalid values a [`ConfigError`]. The built-in defaults are
//! `assets/config.toml`, embedded, so the two cannot drift apart.

pub mod keys;
pub mod logging;
pub mod theme;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::index::{RemoteSettings, WatchMode};
use crate::parse::TimeZoneChoice;
use crate::text::size::size_text;
use keys::KeyMap;
use theme::ThemeKind;

/// The default configuration file, as shipped (`assets/config.toml`).
pub const DEFAULT_CONFIG: &str = include_str!("../../assets/config.toml");

/// Environment variable naming the configuration file to use.
pub const CONFIG_ENV: &str = "SNAPSCOPE_CONFIG";

/// Colours as configured: `auto` follows `NO_COLOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    /// Monochrome when `NO_COLOR` is set and non-empty, else the default theme.
    #[default]
    Auto,
    /// This theme, whatever the environment says.
    Fixed(ThemeKind),
}

impl ThemeChoice {
    /// Parse `auto` or a theme name.
    pub fn from_name(s: &str) -> Option<ThemeChoice> {
        if s.trim().eq_ignore_ascii_case("auto") {
            Some(ThemeChoice::Auto)
        } else {
            ThemeKind::from_name(s).map(ThemeChoice::Fixed)
        }
    }

    /// The theme to draw with, given the environment.
    pub fn resolve(self) -> ThemeKind {
        match self {
            ThemeChoice::Auto => ThemeKind::from_env(),
            ThemeChoice::Fixed(k) => k,
        }
    }
}

impl fmt::Display for ThemeChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThemeChoice::Auto => f.write_str("auto"),
            ThemeChoice::Fixed(k) => f.write_str(k.name()),
        }
    }
}

/// How chart points are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Marker {
    /// Braille dots (2×4 per cell).
    #[default]
    Braille,
    /// One dot per cell (for fonts that draw braille badly).
    Dot,
}

impl Marker {
    /// The configuration name.
    pub fn name(self) -> &'static str {
        match self {
            Marker::Braille => "braille",
            Marker::Dot => "dot",
        }
    }
}

/// The effective configuration (built-in defaults, then the file).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub tz: TimeZoneChoice,
    pub theme: ThemeChoice,
    pub ascii: bool,
    pub mouse: bool,
    pub marker: Marker,
    pub watch: WatchMode,
    /// Seconds between polls in poll mode.
    pub poll_interval: f64,
    /// Snapshot files larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// Key overrides: action name → keys, in file order.
    pub keys: Vec<(String, Vec<String>)>,
    /// Object-store settings per URL prefix (`[remote."s3://bucket"]`).
    pub remote: Vec<(String, RemoteSettings)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tz: TimeZoneChoice::Local,
            theme: ThemeChoice::Auto,
            ascii: false,
            mouse: true,
            marker: Marker::Braille,
            watch: WatchMode::Auto,
            poll_interval: 2.0,
            max_file_size: crate::index::DEFAULT_MAX_FILE_SIZE,
            keys: Vec::new(),
            remote: Vec::new(),
        }
    }
}

/// Why a configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists (or was named) but could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, or a value of the wrong type or out of range.
    #[error("invalid config file {path}: {message}")]
    Invalid { path: String, message: String },
}

/// Where the configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    pub path: PathBuf,
    /// Named by `$SNAPSCOPE_CONFIG` (then it must exist).
    pub from_env: bool,
}

/// The configuration file to read: `$SNAPSCOPE_CONFIG` when set and not
/// empty, else `$XDG_CONFIG_HOME/snapscope/config.toml` (absolute paths
/// only), else `~/.config/snapscope/config.toml`. `None` without a home.
pub fn config_path() -> Option<ConfigPath> {
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
        return Some(ConfigPath {
            path: PathBuf::from(p),
            from_env: true,
        });
    }
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|base| ConfigPath {
            path: base.join("snapscope").join("config.toml"),
            from_env: false,
        })
}

/// A configuration with the warnings its file produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub config: Config,
    /// Unknown keys, unknown actions, unparsable keys: shown, never fatal.
    pub warnings: Vec<String>,
    /// The file read, if one was.
    pub path: Option<PathBuf>,
}

/// Load the configuration from [`config_path`]. A missing default file
/// gives the built-in defaults; a missing `$SNAPSCOPE_CONFIG` file is an error.
pub fn load() -> Result<Loaded, ConfigError> {
    match config_path() {
        Some(cp) => load_from(&cp.path, cp.from_env),
        None => Ok(Loaded {
            config: Config::default(),
            warnings: Vec::new(),
            path: None,
        }),
    }
}

/// A configuration file larger than this is refused unread.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Load one file; `required`: a missing or unreadable file is an error
/// rather than the defaults (with a warning when it exists but cannot be read).
pub fn load_from(path: &Path, required: bool) -> Result<Loaded, ConfigError> {
    let shown = crate::text::sanitize::clean_path(path);
    // A FIFO or device is refused at once (never waited on), a huge file unread.
    let text = match crate::index::read_regular(path, crate::index::Links::Follow, MAX_CONFIG_BYTES)
    {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| ConfigError::Invalid {
            path: shown.clone(),
            message: "not UTF-8 text".into(),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(Loaded {
                config: Config::default(),
                warnings: Vec::new(),
                path: None,
            })
        }
        // The default location may be out of reach (another user's HOME
        // under sudo): say so, and go on with the defaults.
        Err(source) if !required => {
            return Ok(Loaded {
                config: Config::default(),
                warnings: vec![format!(
                    "{}; using the defaults",
                    ConfigError::Read {
                        path: shown,
                        source
                    }
                )],
                path: None,
            })
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: shown,
                source,
            })
        }
    };
    let (config, warnings) = parse(&text).map_err(|message| ConfigError::Invalid {
        path: shown,
        message,
    })?;
    Ok(Loaded {
        config,
        warnings,
        path: Some(path.to_path_buf()),
    })
}

/// A key binding value: one key or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeySpec {
    One(String),
    Many(Vec<String>),
}

/// The file as written: every known key optional, the rest collected.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawConfig {
    tz: Option<String>,
    theme: Option<String>,
    ascii: Option<bool>,
    mouse: Option<bool>,
    marker: Option<String>,
    watch: Option<String>,
    poll_interval: Option<toml::Value>,
    max_file_size: Option<toml::Value>,
    keys: toml::Table,
    remote: toml::Table,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

/// Parse configuration text over the built-in defaults. `Err` is a one-line
/// reason (bad TOML, wrong type, bad value); unknown keys are warnings.
pub fn parse(text: &str) -> Result<(Config, Vec<String>), String> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
    let mut c = Config::default();
    let mut warnings: Vec<String> = raw
        .unknown
        .keys()
        .map(|k| {
            format!(
                "config: unknown key {:?} ignored",
                crate::text::sanitize::clean(k)
            )
        })
        .collect();
    let bad = |key: &str, v: &str, hint: &str| {
        format!(
            "{key} = {:?}: {hint}",
            crate::text::sanitize::clean(v)
                .chars()
                .take(60)
                .collect::<String>()
        )
    };
    if let Some(v) = raw.tz {
        c.tz = v
            .parse()
            .map_err(|_| bad("tz", &v, "expected local, utc or an IANA zone name"))?;
    }
    if let Some(v) = raw.theme {
        c.theme = ThemeChoice::from_name(&v).ok_or_else(|| {
            bad(
                "theme",
                &v,
                "expected auto, default, light, monochrome or truecolor",
            )
        })?;
    }
    if let Some(v) = raw.ascii {
        c.ascii = v;
    }
    if let Some(v) = raw.mouse {
        c.mouse = v;
    }
    if let Some(v) = raw.marker {
        c.marker = match v.trim().to_ascii_lowercase().as_str() {
            "braille" => Marker::Braille,
            "dot" => Marker::Dot,
            _ => return Err(bad("marker", &v, "expected braille or dot")),
        };
    }
    if let Some(v) = raw.watch {
        c.watch = v
            .parse()
            .map_err(|_| bad("watch", &v, "expected auto, notify, poll or off"))?;
    }
    if let Some(v) = raw.poll_interval {
        let secs = match v {
            toml::Value::Float(f) => f,
            toml::Value::Integer(i) => i as f64,
            other => return Err(format!("poll_interval = {other}: expected seconds")),
        };
        if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
            return Err(format!(
                "poll_interval = {secs}: expected seconds, greater than 0"
            ));
        }
        c.poll_interval = secs;
    }
    if let Some(v) = raw.max_file_size {
        c.max_file_size = match v {
            toml::Value::Integer(i) if i > 0 => i as u64,
            toml::Value::String(s) => crate::text::size::parse_size(&s)
                .map_err(|e| format!("max_file_size: {}", crate::text::sanitize::clean(&e)))?,
            other => return Err(format!("max_file_size = {other}: expected a size")),
        };
    }
    for (action, spec) in raw.keys {
        let keys = match KeySpec::deserialize(spec) {
            Ok(KeySpec::One(k)) => vec![k],
            Ok(KeySpec::Many(ks)) => ks,
            Err(_) => {
                warnings.push(format!(
                    "keys.{}: expected a key or a list of keys",
                    crate::text::sanitize::clean(&action)
                ));
                continue;
            }
        };
        c.keys.push((action, keys));
    }
    for (prefix, table) in raw.remote {
        let settings = remote_settings(&prefix, &table, &mut warnings)?;
        c.remote.push((prefix, settings));
    }
    // Unknown actions and unparsable keys are reported now, not at first use.
    warnings.extend(KeyMap::default().apply_overrides(&c.keys));
    Ok((c, warnings))
}

/// One `[remote."URL-PREFIX"]` table: endpoint, region, allow-http,
/// concurrency, poll-interval, full-listing-every, list-page-keys. Unknown
/// keys are warnings, bad values errors.
fn remote_settings(
    prefix: &str,
    table: &toml::Value,
    warnings: &mut Vec<String>,
) -> Result<RemoteSettings, String> {
    let shown = crate::text::sanitize::clean(prefix);
    if !crate::index::is_remote(Path::new(prefix)) {
        return Err(format!(
            "remote.{shown:?}: expected a bucket URL prefix (s3://, gs://, az://)"
        ));
    }
    let Some(t) = table.as_table() else {
        return Err(format!("remote.{shown:?}: expected a table"));
    };
    let mut s = RemoteSettings::default();
    let text = |key: &str, v: &toml::Value| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("remote.{shown:?}.{key}: expected a string"))
    };
    // A whole number from 1 to `max`.
    let count = |key: &str, v: &toml::Value, max: i64, expected: &str| {
        v.as_integer()
            .filter(|n| (1..=max).contains(n))
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("remote.{shown:?}.{key}: expected {expected}"))
    };
    for (key, v) in t {
        match key.as_str() {
            "endpoint" => s.endpoint = Some(text(key, v)?),
            "region" => s.region = Some(text(key, v)?),
            "allow-http" | "allow_http" => {
                s.allow_http = Some(
                    v.as_bool()
                        .ok_or_else(|| format!("remote.{shown:?}.{key}: expected true or false"))?,
                )
            }
            "concurrency" => {
                s.concurrency = Some(count(key, v, 1024, "a number from 1 to 1024")? as usize)
            }
            "poll-interval" | "poll_interval" => {
                let secs = v
                    .as_float()
                    .or_else(|| v.as_integer().map(|i| i as f64))
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("remote.{shown:?}.{key}: expected seconds"))?;
                s.poll_interval = Some(secs);
            }
            "list-page-keys" | "list_page_keys" => {
                s.list_page_keys = Some(count(key, v, 1_000_000, "a number of keys, 1 or more")?)
            }
            "full-listing-every" | "full_listing_every" => {
                s.full_listing_every =
                    Some(count(key, v, 1_000_000, "a number of polls, 1 or more")?)
            }
            other => warnings.push(format!(
                "config: unknown key remote.{shown:?}.{} ignored",
                crate::text::sanitize::clean(other)
            )),
        }
    }
    Ok(s)
}

fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| {
            let gutter = l
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start();
            !l.is_empty() && !gutter.starts_with('|')
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Config {
    /// The key map: defaults with this configuration's overrides.
    pub fn keymap(&self) -> KeyMap {
        let mut km = KeyMap::default();
        let _ = km.apply_overrides(&self.keys);
        km
    }

    /// This configuration as TOML (what `--print-config` shows).
    pub fn to_toml(&self) -> String {
        let mut t = toml::Table::new();
        t.insert("tz".into(), self.tz.to_string().into());
        t.insert("theme".into(), self.theme.to_string().into());
        t.insert("ascii".into(), self.ascii.into());
        t.insert("mouse".into(), self.mouse.into());
        t.insert("marker".into(), self.marker.name().into());
        t.insert("watch".into(), self.watch.as_str().into());
        t.insert("poll_interval".into(), self.poll_interval.into());
        t.insert("max_file_size".into(), size_text(self.max_file_size).into());
        let mut keys = toml::Table::new();
        for (a, ks) in &self.keys {
            keys.insert(
                a.clone(),
                toml::Value::Array(ks.iter().map(|k| k.as_str().into()).collect()),
            );
        }
        t.insert("keys".into(), keys.into());
        let mut remote = toml::Table::new();
        for (prefix, s) in &self.remote {
            let mut r = toml::Table::new();
            if let Some(v) = &s.endpoint {
                r.insert("endpoint".into(), v.as_str().into());
            }
            if let Some(v) = &s.region {
                r.insert("region".into(), v.as_str().into());
            }
            if let Some(v) = s.allow_http {
                r.insert("allow-http".into(), v.into());
            }
            if let Some(v) = s.concurrency {
                r.insert("concurrency".into(), (v as i64).into());
            }
            if let Some(v) = s.poll_interval {
                r.insert("poll-interval".into(), v.into());
            }
            if let Some(v) = s.full_listing_every {
                r.insert("full-listing-every".into(), i64::from(v).into());
            }
            if let Some(v) = s.list_page_keys {
                r.insert("list-page-keys".into(), i64::from(v).into());
            }
            remote.insert(prefix.clone(), r.into());
        }
        if !remote.is_empty() {
            t.insert("remote".into(), remote.into());
        }
        toml::to_string(&t).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_is_the_built_in_defaults() {
        let (c, w) = parse(DEFAULT_CONFIG).unwrap();
        assert_eq!(c, Config::default());
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn printed_config_parses_back_to_itself() {
        let (c, _) = parse(
            "tz = \"Europe/Berlin\"\ntheme = \"light\"\nmarker = \"dot\"\npoll_interval = 5\n\
             max_file_size = \"1G\"\n[keys]\nquit = \"x\"\ntrends = [\"t\", \"F2\"]\n\
             [remote.\"s3://bkt/ws\"]\nendpoint = \"http://127.0.0.1:9000\"\nregion = \"eu-west-1\"\n\
             allow-http = true\nconcurrency = 4\npoll-interval = 30\nfull-listing-every = 5\nlist-page-keys = 7\n",
        )
        .unwrap();
        let (back, w) = parse(&c.to_toml()).unwrap();
        assert_eq!(back, c);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.max_file_size, 1 << 30);
        assert_eq!(c.poll_interval, 5.0);
        assert_eq!(
            c.remote,
            vec![(
                "s3://bkt/ws".to_string(),
                RemoteSettings {
                    endpoint: Some("http://127.0.0.1:9000".into()),
                    region: Some("eu-west-1".into()),
                    allow_http: Some(true),
                    concurrency: Some(4),
                    poll_interval: Some(30.0),
                    full_listing_every: Some(5),
                    list_page_keys: Some(7),
                }
            )]
        );
    }
}
