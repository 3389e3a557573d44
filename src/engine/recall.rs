//! The patient memory's step in a walk ([`crate::memory`]): between learning a payload and
//! rewriting it, the memory its patient keys reach is opened, what the payload teaches of
//! its patient is added (the only store write, and only when something is new), and the
//! memory goes into the payload's [`Learned`] so every free-text value is searched with it.

use super::{Engine, ScanError};
use crate::detect::learned::Learned;
use crate::memory::forms;
use crate::transform::Transformer;

impl Engine {
    /// Between learning a payload and rewriting it: opens the memory the payload's patient
    /// keys (`aliases`, most specific first) reach, remembers the payload's patient values
    /// in it when any form is new (the only store write; a patient already remembered
    /// costs a read), and gives the memory to `learned` so the payload's text is searched
    /// with it. A store without memory, a payload without patient keys, or memory switched
    /// off: nothing happens.
    pub fn recall_patient(
        &self,
        t: &Transformer<'_>,
        aliases: &[String],
        learned: &mut Learned,
    ) -> Result<(), ScanError> {
        if !self.patient_memory || aliases.is_empty() {
            return Ok(());
        }
        let keys: Vec<&str> = aliases.iter().map(String::as_str).collect();
        let Some(mut memory) = t.store().open_memory(&keys)? else {
            return Ok(());
        };
        let values = learned.patient_values();
        if !values.is_empty() {
            let forms = forms::derive(values, &self.nicknames, |w| self.is_vocabulary(w));
            let new = memory.missing(&forms);
            if !new.is_empty() || !memory.unlinked().is_empty() {
                t.store().extend_memory(&memory, &new)?;
                memory.extend(&new);
            }
        }
        if !memory.is_empty() {
            learned.recall(memory);
        }
        Ok(())
    }

    /// The memory of a note's patient (found in its text) as values to search, when one
    /// is remembered; nothing is recorded from a note.
    pub(crate) fn recall_text_patient(
        &self,
        t: &Transformer<'_>,
        patient_key: Option<&str>,
    ) -> Result<Option<Learned>, ScanError> {
        let Some(key) = patient_key else {
            return Ok(None);
        };
        let mut learned = Learned::default();
        self.recall_patient(t, &[key.to_string()], &mut learned)?;
        Ok(learned.memory().is_some().then_some(learned))
    }

    /// A folded word that is also an English or clinical word (or a name common as one).
    fn is_vocabulary(&self, word: &str) -> bool {
        use crate::detect::lexicon::flag;
        let f = self.detector.lexicon().flags(word.as_bytes());
        f & (flag::ENGLISH | flag::COMMON | flag::CLINICAL | flag::STOP) != 0
    }
}
