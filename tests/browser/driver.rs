//! A real Chromium, driven through chromedriver (WebDriver) by fantoccini,
//! behind a small blocking API so the tests read top to bottom and can mix
//! browser steps with the blocking HTTP helpers of `tests/api/helpers.rs`.
//!
//! Chromium and chromedriver come from Debian (`chromium`,
//! `chromium-driver`; `.ci/run` installs them). `CHROMIUM` and
//! `CHROMEDRIVER` override the paths. A missing browser fails the test:
//! these tests are never skipped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Two cores are shared with everything else: one browser at a time.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

const WAIT: Duration = Duration::from_secs(20);

pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
    _turn: MutexGuard<'static, ()>,
    pub base: String,
}

fn executable(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.exists(),
        "{} not found: the browser tests need Debian's chromium and chromium-driver \
         (`apt-get install -y chromium chromium-driver`, as .ci/run does), or {var} set",
        path.display()
    );
    path
}

/// Where screenshots go: `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

impl Browser {
    /// Start chromedriver on a free port and a headless Chromium with a
    /// fresh profile, for pages under `base`.
    pub fn start(base: &str) -> Browser {
        let turn = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
        let chromium = executable("CHROMIUM", "/usr/bin/chromium");
        let chromedriver = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
        let mut driver = Command::new(&chromedriver)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let stdout = driver.stdout.take().expect("chromedriver stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        // Read the port from the banner, then keep draining so the pipe
        // never fills.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line
                    .split("started successfully on port ")
                    .nth(1)
                    .and_then(|p| p.trim_end_matches('.').trim().parse::<u16>().ok())
                {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(port);
                    }
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("chromedriver did not report its port");
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--no-first-run",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let url = format!("http://127.0.0.1:{port}");
        let client = rt
            .block_on(async {
                let mut builder =
                    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
                builder.capabilities(caps);
                let deadline = Instant::now() + Duration::from_secs(30);
                loop {
                    match builder.connect(&url).await {
                        Ok(c) => return Ok(c),
                        Err(e) if Instant::now() > deadline => return Err(e),
                        Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                    }
                }
            })
            .expect("start a Chromium session");
        Browser {
            rt,
            client: Some(client),
            driver,
            _profile: profile,
            _turn: turn,
            base: base.to_string(),
        }
    }

    fn c(&self) -> &Client {
        self.client.as_ref().expect("browser open")
    }

    /// Open a path under the application.
    pub fn open(&self, path: &str) {
        let url = format!("{}{}", self.base, path);
        self.rt
            .block_on(self.c().goto(&url))
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Run a script (`return …` gives a value).
    pub fn js(&self, script: &str) -> Value {
        self.js_with(script, vec![])
    }

    pub fn js_with(&self, script: &str, args: Vec<Value>) -> Value {
        self.rt
            .block_on(self.c().execute(script, args))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Wait until `expr` (a JavaScript expression) is truthy; its value.
    pub fn wait_for(&self, what: &str, expr: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        let script = format!("try {{ return ({expr}); }} catch (e) {{ return null; }}");
        loop {
            let v = self.js(&script);
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                let shot = self.screenshot(&format!("failed-{}", slug(what)));
                panic!(
                    "timed out waiting for {what} ({expr}); page at {}; screenshot {}\n{}",
                    self.url(),
                    shot.display(),
                    self.js("return document.querySelector('main') ? document.querySelector('main').innerText.slice(0, 2000) : ''")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn url(&self) -> String {
        self.rt
            .block_on(self.c().current_url())
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// The text of the first element matching `css` ("" if none).
    pub fn text(&self, css: &str) -> String {
        self.js_with(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
            vec![json!(css)],
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    pub fn count(&self, css: &str) -> u64 {
        self.js_with(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![json!(css)],
        )
        .as_u64()
        .unwrap_or(0)
    }

    fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.rt
            .block_on(self.c().wait().at_most(WAIT).for_element(Locator::Css(css)))
            .unwrap_or_else(|e| {
                let shot = self.screenshot(&format!("failed-find-{}", slug(css)));
                panic!("no element {css}: {e}; screenshot {}", shot.display())
            })
    }

    /// Click what a user would click.
    pub fn click(&self, css: &str) {
        let el = self.element(css);
        self.rt
            .block_on(el.click())
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Type into a field (after clearing it).
    pub fn type_into(&self, css: &str, text: &str) {
        let el = self.element(css);
        self.rt
            .block_on(async {
                el.clear().await?;
                el.send_keys(text).await
            })
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Choose a file in a file input, as the file picker does.
    pub fn upload(&self, css: &str, file: &Path) {
        let el = self.element(css);
        self.rt
            .block_on(el.send_keys(&file.to_string_lossy()))
            .unwrap_or_else(|e| panic!("upload {} into {css}: {e}", file.display()));
    }

    /// Set a field's value at once and tell the page, as a paste does.
    pub fn paste_into(&self, css: &str, text: &str) {
        self.element(css);
        self.js_with(
            "const e = document.querySelector(arguments[0]); e.focus(); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(css), json!(text)],
        );
    }

    /// Press keys on whatever has focus, as a keyboard does.
    pub fn keys(&self, keys: &[char]) {
        let mut actions = KeyActions::new("keyboard".into());
        for k in keys {
            actions = actions
                .then(KeyAction::Down { value: *k })
                .then(KeyAction::Up { value: *k });
        }
        self.rt
            .block_on(self.c().perform_actions(actions))
            .expect("key actions");
    }

    /// Type text on the keyboard into whatever has focus (newlines as Enter).
    pub fn type_keys(&self, text: &str) {
        let chars: Vec<char> = text
            .chars()
            .map(|c| if c == '\n' { Key::Enter.into() } else { c })
            .collect();
        for chunk in chars.chunks(200) {
            self.keys(chunk);
        }
    }

    pub fn active_id(&self) -> String {
        self.js("return document.activeElement ? document.activeElement.id : ''")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Press Tab until the element with `id` has focus.
    pub fn tab_to(&self, id: &str, max: usize) {
        for _ in 0..max {
            if self.active_id() == id {
                return;
            }
            self.keys(&[Key::Tab.into()]);
        }
        assert_eq!(self.active_id(), id, "Tab never reached #{id}");
    }

    /// Press Tab until the focused element matches `css`.
    pub fn tab_until(&self, css: &str, max: usize) {
        let focused = || {
            self.js_with(
                "return Boolean(document.activeElement && document.activeElement.matches(arguments[0]));",
                vec![json!(css)],
            ) == json!(true)
        };
        for _ in 0..max {
            if focused() {
                return;
            }
            self.keys(&[Key::Tab.into()]);
        }
        assert!(focused(), "Tab never reached {css}");
    }

    /// The text of an open alert, if any.
    pub fn alert(&self) -> Option<String> {
        self.rt.block_on(self.c().get_alert_text()).ok()
    }

    /// The session cookie as the browser holds it: (HttpOnly, SameSite).
    pub fn cookie(&self, name: &str) -> Option<(bool, String)> {
        let cookies = self
            .rt
            .block_on(self.c().get_all_cookies())
            .expect("cookies");
        cookies.into_iter().find(|c| c.name() == name).map(|c| {
            (
                c.http_only().unwrap_or(false),
                c.same_site().map(|s| format!("{s:?}")).unwrap_or_default(),
            )
        })
    }

    /// How far the page scrolls sideways (0 when it fits the window).
    pub fn sideways_scroll(&self) -> i64 {
        self.js("return document.documentElement.scrollWidth - window.innerWidth")
            .as_i64()
            .unwrap_or(i64::MAX)
    }

    pub fn resize(&self, width: u32, height: u32) {
        self.rt
            .block_on(self.c().set_window_size(width, height))
            .expect("resize");
    }

    /// A screenshot of the whole page (the window grows to fit it) under
    /// `target/screenshots/NAME.png`.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let path = screenshot_dir().join(format!("{name}.png"));
        self.js("window.scrollTo(0, 0)");
        let size = self
            .rt
            .block_on(self.c().get_window_size())
            .unwrap_or((1280, 900));
        let height = self
            .js("return Math.ceil(document.documentElement.scrollHeight)")
            .as_u64()
            .unwrap_or(size.1)
            .clamp(400, 8000) as u32;
        let _ = self
            .rt
            .block_on(self.c().set_window_size(size.0 as u32, height + 120));
        std::thread::sleep(Duration::from_millis(150));
        if let Ok(png) = self.rt.block_on(self.c().screenshot()) {
            std::fs::write(&path, png).expect("write screenshot");
        }
        let _ = self
            .rt
            .block_on(self.c().set_window_size(size.0 as u32, size.1 as u32));
        path
    }
}

impl Browser {
    /// A screenshot of what the window shows, as a phone's screen would.
    pub fn screenshot_viewport(&self, name: &str) -> PathBuf {
        let path = screenshot_dir().join(format!("{name}.png"));
        if let Ok(png) = self.rt.block_on(self.c().screenshot()) {
            std::fs::write(&path, png).expect("write screenshot");
        }
        path
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(60)
        .collect()
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = self.rt.block_on(c.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
