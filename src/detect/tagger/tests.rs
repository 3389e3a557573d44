//! The shipped weights against their manifest, and what the tagger finds and leaves.

use super::*;

#[test]
fn placeholder_builds() {
    let p = Patterns::builtin();
    assert!(Tagger::load(&p).is_ok());
}
