//! Process and build metrics for `/metrics`: `phigate_build_info`, and the standard
//! `process_*` series (resident memory, open file descriptors, start time) read from
//! `/proc` on each scrape.
//!
//! Off Linux (no `/proc`) the process series are left out rather than reported as zero,
//! so an alert on them cannot fire on a missing reading.

use std::fmt::Write as _;

/// Linux reports process start in clock ticks since boot; `USER_HZ` is 100 on every
/// architecture Linux ships (the kernel ABI fixes it, whatever `CONFIG_HZ` is).
const USER_HZ: f64 = 100.0;

/// The build and process series, in the Prometheus text format.
pub fn render() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP phigate_build_info The running build (always 1).\n# TYPE phigate_build_info gauge\nphigate_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    let series = [
        (
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            resident_bytes(),
        ),
        ("process_open_fds", "Open file descriptors.", open_fds()),
        (
            "process_start_time_seconds",
            "Start time of the process since the Unix epoch, in seconds.",
            start_time(),
        ),
    ];
    for (name, help, value) in series {
        if let Some(v) = value {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
    }
    out
}

fn resident_bytes() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024.0)
}

fn open_fds() -> Option<f64> {
    // The directory handle read_dir holds is one of the entries; leave it out.
    let n = std::fs::read_dir("/proc/self/fd").ok()?.count();
    Some(n.saturating_sub(1) as f64)
}

fn start_time() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count from
    // the last `)`.
    let after = stat.rsplit_once(')')?.1;
    let ticks: f64 = after.split_whitespace().nth(19)?.parse().ok()?;
    let boot: f64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(boot + ticks / USER_HZ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_series_are_read_from_proc() {
        let text = render();
        assert!(text.contains("phigate_build_info{version=\""), "{text}");
        if std::path::Path::new("/proc/self/stat").exists() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_secs_f64();
            let started = start_time().expect("start time");
            assert!(
                started <= now + 1.0 && started > now - 86_400.0,
                "{started}"
            );
            assert!(resident_bytes().expect("rss") > 1e6);
            assert!(open_fds().expect("fds") >= 3.0);
        }
    }
}
