//! The PHI types phigate knows: one per HIPAA Safe Harbor identifier that text can carry.
//!
//! Owns the type names (as written in rule files, policies and reports), the token prefix
//! of each type, and in [`token`] the grammar of a token. Detection, transforms, reveal, the
//! synthetic generator and the evaluation all speak this vocabulary; nothing else lives here.

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

impl PhiType {
    /// Every type, in a stable order used by reports.
    pub const ALL: [PhiType; 21] = [
        PhiType::Name,
        PhiType::ProviderName,
        PhiType::Address,
        PhiType::Location,
        PhiType::Zip,
        PhiType::Date,
        PhiType::Age,
        PhiType::Phone,
        PhiType::Fax,
        PhiType::Email,
        PhiType::Ssn,
        PhiType::Mrn,
        PhiType::Account,
        PhiType::HealthPlan,
        PhiType::License,
        PhiType::Vehicle,
        PhiType::Device,
        PhiType::Url,
        PhiType::Ip,
        PhiType::Biometric,
        PhiType::Id,
    ];

    /// The name used in rule files, policies, spans and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PhiType::Name => "NAME",
            PhiType::ProviderName => "PROVIDER_NAME",
            PhiType::Address => "ADDRESS",
            PhiType::Location => "LOCATION",
            PhiType::Zip => "ZIP",
            PhiType::Date => "DATE",
            PhiType::Age => "AGE",
            PhiType::Phone => "PHONE",
            PhiType::Fax => "FAX",
            PhiType::Email => "EMAIL",
            PhiType::Ssn => "SSN",
            PhiType::Mrn => "MRN",
            PhiType::Account => "ACCOUNT",
            PhiType::HealthPlan => "HEALTH_PLAN",
            PhiType::License => "LICENSE",
            PhiType::Vehicle => "VEHICLE",
            PhiType::Device => "DEVICE",
            PhiType::Url => "URL",
            PhiType::Ip => "IP",
            PhiType::Biometric => "BIOMETRIC",
            PhiType::Id => "ID",
        }
    }

    /// Default token prefix (see DESIGN.md "Tokens"); a policy may override it.
    pub fn token_prefix(self) -> &'static str {
        match self {
            PhiType::Name => "NAME",
            PhiType::ProviderName => "PROV",
            PhiType::Address => "ADDR",
            PhiType::Location => "LOC",
            PhiType::Zip => "ZIP",
            PhiType::Date => "DATE",
            PhiType::Age => "AGE",
            PhiType::Phone => "PHONE",
            PhiType::Fax => "FAX",
            PhiType::Email => "EMAIL",
            PhiType::Ssn => "SSN",
            PhiType::Mrn => "MRN",
            PhiType::Account => "ACCT",
            PhiType::HealthPlan => "PLAN",
            PhiType::License => "LIC",
            PhiType::Vehicle => "VEH",
            PhiType::Device => "DEV",
            PhiType::Url => "URL",
            PhiType::Ip => "IP",
            PhiType::Biometric => "BIO",
            PhiType::Id => "ID",
        }
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
        }
        assert!("nope".parse::<PhiType>().is_err());
        assert_eq!("health-plan".parse::<PhiType>(), Ok(PhiType::HealthPlan));
    }
}
