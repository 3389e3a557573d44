//! The PHI types phigate knows: one per HIPAA Safe Harbor identifier that text can carry.
//!
//! Owns the type names (as written in rule files, policies and reports), the token prefix
//! of each type, the [`Span`] a detector reports, and in [`token`] the grammar of a token.
//! Detection, transforms, reveal, the synthetic generator and the evaluation all speak this
//! vocabulary; nothing else lives here.

pub mod token;

use std::fmt;
use std::str::FromStr;

/// One kind of protected health information.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PhiType {
    /// Names of patients, relatives, employers and household members.
    Name,
    /// Names of clinicians; a policy may keep them.
    ProviderName,
    /// Street address lines.
    Address,
    /// Cities, counties, facilities and other geography below a state.
    Location,
    /// ZIP and ZIP+4 codes.
    Zip,
    /// Any date element more precise than a year.
    Date,
    /// Ages over 89.
    Age,
    Phone,
    Fax,
    Email,
    Ssn,
    /// Medical record numbers.
    Mrn,
    /// Account numbers (billing, patient accounts).
    Account,
    /// Health-plan beneficiary and member numbers, including Medicare MBIs.
    HealthPlan,
    /// Certificate and licence numbers.
    License,
    /// Vehicle identifiers: VINs and licence plates.
    Vehicle,
    /// Device identifiers and serial numbers.
    Device,
    Url,
    Ip,
    /// Biometric identifiers (fingerprint, voiceprint, retina scan references).
    Biometric,
    /// Any other unique identifying number or code.
    Id,
}

/// The one type table: each type with its name (rule files, policies, reports) and its
/// token prefix, in declaration order (a test checks the order, which `index` relies on).
const TABLE: [(PhiType, &str, &str); 21] = [
    (PhiType::Name, "NAME", "NAME"),
    (PhiType::ProviderName, "PROVIDER_NAME", "PROV"),
    (PhiType::Address, "ADDRESS", "ADDR"),
    (PhiType::Location, "LOCATION", "LOC"),
    (PhiType::Zip, "ZIP", "ZIP"),
    (PhiType::Date, "DATE", "DATE"),
    (PhiType::Age, "AGE", "AGE"),
    (PhiType::Phone, "PHONE", "PHONE"),
    (PhiType::Fax, "FAX", "FAX"),
    (PhiType::Email, "EMAIL", "EMAIL"),
    (PhiType::Ssn, "SSN", "SSN"),
    (PhiType::Mrn, "MRN", "MRN"),
    (PhiType::Account, "ACCOUNT", "ACCT"),
    (PhiType::HealthPlan, "HEALTH_PLAN", "PLAN"),
    (PhiType::License, "LICENSE", "LIC"),
    (PhiType::Vehicle, "VEHICLE", "VEH"),
    (PhiType::Device, "DEVICE", "DEV"),
    (PhiType::Url, "URL", "URL"),
    (PhiType::Ip, "IP", "IP"),
    (PhiType::Biometric, "BIOMETRIC", "BIO"),
    (PhiType::Id, "ID", "ID"),
];

impl PhiType {
    /// Every type, in a stable order used by reports.
    pub const ALL: [PhiType; 21] = {
        let mut all = [PhiType::Name; 21];
        let mut i = 0;
        while i < TABLE.len() {
            all[i] = TABLE[i].0;
            i += 1;
        }
        all
    };

    /// The name used in rule files, policies, spans and reports.
    pub fn as_str(self) -> &'static str {
        TABLE[self.index()].1
    }

    /// Default token prefix (see DESIGN.md "Tokens"); a policy may override it.
    pub fn token_prefix(self) -> &'static str {
        TABLE[self.index()].2
    }

    /// Index into [`PhiType::ALL`], for per-type counters without a map.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for PhiType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One detected piece of PHI: a byte range of the scanned text and its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub ty: PhiType,
}

/// The error for a type name that is not one of [`PhiType::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown PHI type `{0}`")]
pub struct UnknownPhiType(pub String);

impl FromStr for PhiType {
    type Err = UnknownPhiType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase().replace('-', "_");
        PhiType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == upper)
            .ok_or_else(|| UnknownPhiType(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_index_matches_position() {
        for (i, t) in PhiType::ALL.iter().enumerate() {
            assert_eq!(t.as_str().parse::<PhiType>(), Ok(*t));
            assert_eq!(t.index(), i);
            assert_eq!(TABLE[i].0, *t, "TABLE is in declaration order");
        }
        assert!("nope".parse::<PhiType>().is_err());
        assert_eq!("health-plan".parse::<PhiType>(), Ok(PhiType::HealthPlan));
    }
}
