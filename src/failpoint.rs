//! Crash points for tests: a named place in a multi-step operation (a key rotation) where a
//! test can make the real binary die as abruptly as `kill -9` would, so that "killed at any
//! step, the next run finishes the job" is tested step by step instead of by timing a kill.
//!
//! Only debug builds read `PHIGATE_FAILPOINT`; in a release build [`hit`] does nothing, so
//! no deployment can be crashed through the environment.

/// Dies here, without unwinding or flushing anything, when `PHIGATE_FAILPOINT` names `point`
/// (debug builds only).
#[inline]
pub fn hit(point: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("PHIGATE_FAILPOINT").is_ok_and(|p| p == point) {
        // abort(), not exit(): no destructor runs, no buffer is flushed, as in a SIGKILL.
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = point;
}
