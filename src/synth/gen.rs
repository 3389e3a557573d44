//! The seeded value generator: one method per PHI class, every value invented.
//!
//! Phone numbers use the fictional 555-01xx lines (and Ofcom's drama ranges for the UK),
//! e-mail and web addresses use the reserved `example.*` domains, IPs come from the
//! documentation ranges (RFC 5737 / RFC 3849) or private space, SSNs follow the SSA
//! syntax rules, VINs carry a valid check digit and MBIs follow the CMS layout.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::words;

/// A calendar date, used to render the many written forms of [`Gen::date`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ymd {
    /// Four-digit year.
    pub y: u32,
    /// Month, 1–12.
    pub m: u32,
    /// Day of month, 1–28 (kept ≤ 28 so every month is valid).
    pub d: u32,
}

/// A seeded generator of synthetic PHI values; the same seed yields the same sequence.
#[derive(Debug, Clone)]
pub struct Gen {
    rng: StdRng,
}

/// Letters allowed in a Medicare Beneficiary Identifier (A–Z without S, L, O, I, B, Z).
pub const MBI_LETTERS: &[u8] = b"ACDEFGHJKMNPQRTUVWXY";

/// Characters allowed in a VIN (digits and A–Z without I, O, Q).
const VIN_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const AREA_CODES: &[&str] = &[
    "217", "312", "415", "617", "702", "803", "919", "503", "612", "205", "406", "808", "555",
];

impl Gen {
    /// A generator whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Gen {
        Gen {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    // ---- primitives -------------------------------------------------------------------

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    /// A uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        self.rng.gen_range(lo..=hi)
    }

    /// A uniform pick from a slice (`T::default()` if the slice is empty).
    pub fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        if items.is_empty() {
            return T::default();
        }
        items[self.rng.gen_range(0..items.len())]
    }

    /// A uniform index below `n` (0 when `n` is 0).
    pub fn index(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.gen_range(0..n)
        }
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.rng.gen_range(0..10u8)))
            .collect()
    }

    fn letters_from(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.rng.gen_range(0..alphabet.len())]))
            .collect()
    }

    fn upper(&mut self, n: usize) -> String {
        self.letters_from(b"ABCDEFGHJKLMNPRSTUVWXYZ", n)
    }

    fn alnum(&mut self, n: usize) -> String {
        self.letters_from(b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ", n)
    }

    // ---- names and places -------------------------------------------------------------

    /// An invented given name (a few carry diacritics, a few are also English words).
    pub fn first_name(&mut self) -> String {
        let female = self.chance(0.5);
        self.given_name(female)
    }

    /// A woman's or a man's given name.
    pub fn given_name(&mut self, female: bool) -> String {
        let list = if female {
            words::FEMALE_NAMES
        } else {
            words::MALE_NAMES
        };
        self.pick(list).to_string()
    }

    /// An invented family name (a few carry diacritics or hyphens).
    pub fn last_name(&mut self) -> String {
        self.pick(words::LAST_NAMES).to_string()
    }

    /// "First Last", sometimes with a middle initial.
    pub fn full_name(&mut self) -> String {
        let first = self.first_name();
        let last = self.last_name();
        if self.chance(0.2) {
            let mid = self.upper(1);
            format!("{first} {mid}. {last}")
        } else {
            format!("{first} {last}")
        }
    }

    /// A street line: "4821 Oak Ridge Dr", "77 W Main St Apt 4B".
    pub fn street_address(&mut self) -> String {
        let num = self.range(1, 9899);
        let dir = if self.chance(0.25) {
            format!("{} ", self.pick(&["N", "S", "E", "W"]))
        } else {
            String::new()
        };
        let street = self.pick(words::STREETS);
        let suffix = self.pick(words::STREET_SUFFIXES);
        let unit = match self.range(0, 9) {
            0 => format!(" Apt {}{}", self.range(1, 24), self.upper(1)),
            1 => format!(" Unit {}", self.range(1, 40)),
            _ => String::new(),
        };
        format!("{num} {dir}{street} {suffix}{unit}")
    }

    /// A city (sub-state geography, so PHI under Safe Harbor).
    pub fn city(&mut self) -> String {
        self.pick(words::PLACES).0.to_string()
    }

    /// A city with its state abbreviation and a ZIP whose prefix fits the state.
    pub fn place(&mut self) -> (String, String, String) {
        let (city, state, zip3) = self.pick(words::PLACES);
        let zip = self.zip_with_prefix(zip3);
        (city.to_string(), state.to_string(), zip)
    }

    /// A facility or county name (LOCATION).
    pub fn facility(&mut self) -> String {
        if self.chance(0.3) {
            format!("{} County", self.pick(words::COUNTIES))
        } else {
            let city = self.pick(words::PLACES).0;
            format!("{city} {}", self.pick(words::FACILITY_KINDS))
        }
    }

    /// A 5-digit ZIP or a ZIP+4.
    pub fn zip(&mut self) -> String {
        let zip3 = self.pick(words::PLACES).2;
        self.zip_with_prefix(zip3)
    }

    fn zip_with_prefix(&mut self, zip3: &str) -> String {
        let tail = self.digits(2);
        if self.chance(0.25) {
            let plus = self.digits(4);
            format!("{zip3}{tail}-{plus}")
        } else {
            format!("{zip3}{tail}")
        }
    }

    // ---- dates and ages ---------------------------------------------------------------

    /// A date with a year in `y_lo..=y_hi` (days kept ≤ 28).
    pub fn ymd(&mut self, y_lo: u32, y_hi: u32) -> Ymd {
        Ymd {
            y: self.range(y_lo, y_hi),
            m: self.range(1, 12),
            d: self.range(1, 28),
        }
    }

    /// A recent date in one of many written forms ("03/14/2024", "March 14, 2024", "3/14", ...).
    pub fn date(&mut self) -> String {
        let d = self.ymd(2019, 2025);
        self.date_form(d)
    }

    /// A birth date (1925–2005) in one of the written forms.
    pub fn birth_date(&mut self) -> String {
        let d = self.ymd(1925, 2005);
        self.date_form(d)
    }

    /// An ISO date ("2024-03-14"), as FHIR writes `date` values.
    pub fn date_iso(&mut self, y_lo: u32, y_hi: u32) -> String {
        let d = self.ymd(y_lo, y_hi);
        format!("{:04}-{:02}-{:02}", d.y, d.m, d.d)
    }

    /// An ISO instant ("2024-03-14T09:30:00Z" or with an offset), as FHIR writes `dateTime`.
    pub fn datetime_iso(&mut self) -> String {
        let d = self.ymd(2019, 2025);
        let (h, mi) = (self.range(7, 18), self.pick(&[0, 15, 30, 45]));
        let zone = self.pick(&["Z", "-05:00", "-06:00", "+00:00"]);
        format!("{:04}-{:02}-{:02}T{h:02}:{mi:02}:00{zone}", d.y, d.m, d.d)
    }

    /// Renders `d` in a randomly chosen written form.
    pub fn date_form(&mut self, d: Ymd) -> String {
        let Ymd { y, m, d: day } = d;
        let month = MONTHS[(m as usize).saturating_sub(1) % 12];
        let mon = &month[..3];
        let yy = y % 100;
        match self.range(0, 15) {
            0 => format!("{m:02}/{day:02}/{y}"),
            1 => format!("{m}/{day}/{y}"),
            2 => format!("{m}-{day}-{yy:02}"),
            3 => format!("{y}-{m:02}-{day:02}"),
            4 => format!("{month} {day}, {y}"),
            5 => format!("{mon} {day}{}", ordinal(day)),
            6 => format!("{day} {mon} {y}"),
            7 => format!("{m}/{day}"),
            8 => format!("{y}-{m:02}-{day:02}T{:02}:{:02}:00Z", self.range(7, 18), 30),
            9 => format!("{day:02}-{}-{y}", mon.to_ascii_uppercase()),
            10 => format!("{mon}. {day}, {y}"),
            11 => format!("{month} {day}{}, {y}", ordinal(day)),
            12 => format!("{m}/{day}/{yy:02}"),
            13 => format!("{y}/{m:02}/{day:02}"),
            14 => format!("{day}{} of {month}", ordinal(day)),
            _ => format!("{month} {day}"),
        }
    }

    /// An age over 89 in one of its written forms ("92 years old", "age 91", "93yo", ...).
    pub fn age_over_89(&mut self) -> String {
        let n = self.range(90, 104);
        match self.range(0, 6) {
            0 => format!("{n} years old"),
            1 => format!("age {n}"),
            2 => format!("{n}yo"),
            3 => format!("{n}-year-old"),
            4 => format!("{n} y/o"),
            5 => format!("aged {n}"),
            _ => format!("{n} yrs"),
        }
    }

    // ---- contact ----------------------------------------------------------------------

    /// A fictional phone number in a US form (555-01xx lines) or a UK drama-range form.
    pub fn phone(&mut self) -> String {
        if self.chance(0.08) {
            return self.intl_phone();
        }
        let base = self.us_phone();
        match self.range(0, 11) {
            0 => format!("{base} ext. {}", self.range(2, 499)),
            1 => format!("{base} x{}", self.range(100, 999)),
            _ => base,
        }
    }

    /// A fictional fax number (US forms).
    pub fn fax(&mut self) -> String {
        self.us_phone()
    }

    fn us_phone(&mut self) -> String {
        let area = self.pick(AREA_CODES);
        let (ex, line) = if area == "555" {
            (format!("01{}", self.digits(1)), self.digits(4))
        } else {
            ("555".to_string(), format!("01{}", self.digits(2)))
        };
        match self.range(0, 6) {
            0 => format!("({area}) {ex}-{line}"),
            1 => format!("{area}-{ex}-{line}"),
            2 => format!("{area}.{ex}.{line}"),
            3 => format!("+1 {area} {ex} {line}"),
            4 => format!("1-{area}-{ex}-{line}"),
            5 => format!("{area} {ex} {line}"),
            _ => format!("({area}){ex}-{line}"),
        }
    }

    fn intl_phone(&mut self) -> String {
        if self.chance(0.5) {
            format!("+44 20 7946 0{}", self.digits(3))
        } else {
            format!("+44 113 496 0{}", self.digits(3))
        }
    }

    /// An address at a reserved example domain.
    pub fn email(&mut self) -> String {
        let first = ascii_fold(&self.first_name()).to_ascii_lowercase();
        let last = ascii_fold(&self.last_name()).to_ascii_lowercase();
        let domain = self.pick(&[
            "example.com",
            "example.org",
            "example.net",
            "mail.example.com",
            "patients.example.org",
        ]);
        let initial = first.chars().next().unwrap_or('x');
        match self.range(0, 3) {
            0 => format!("{first}.{last}@{domain}"),
            1 => format!("{initial}{last}{}@{domain}", self.range(1, 99)),
            2 => format!("{first}_{last}@{domain}"),
            _ => format!("{last}.{first}{}@{domain}", self.range(40, 99)),
        }
    }

    // ---- numbers ----------------------------------------------------------------------

    /// An SSN valid under SSA rules: area ∉ {000, 666, 9xx}, group ≠ 00, serial ≠ 0000.
    pub fn ssn(&mut self) -> String {
        let mut area = self.range(1, 899);
        if area == 666 {
            area = 667;
        }
        let group = self.range(1, 99);
        let serial = self.range(1, 9999);
        match self.range(0, 9) {
            0 => format!("{area:03} {group:02} {serial:04}"),
            1 => format!("{area:03}{group:02}{serial:04}"),
            _ => format!("{area:03}-{group:02}-{serial:04}"),
        }
    }

    /// A medical record number.
    pub fn mrn(&mut self) -> String {
        match self.range(0, 4) {
            0 => format!("00{}", self.digits(6)),
            1 => self.digits(7),
            2 => format!("E{}", self.digits(7)),
            3 => format!("MR-{}", self.digits(7)),
            _ => format!("{}-{}", self.range(2015, 2025), self.digits(6)),
        }
    }

    /// A billing / patient account number.
    pub fn account_number(&mut self) -> String {
        match self.range(0, 3) {
            0 => self.digits(10),
            1 => format!("ACC-{}-{}", self.digits(5), self.digits(2)),
            2 => format!("A{}", self.digits(8)),
            _ => format!("{}-{}", self.digits(4), self.digits(6)),
        }
    }

    /// A health-plan member or beneficiary number; about a third are Medicare MBIs.
    pub fn health_plan_id(&mut self) -> String {
        match self.range(0, 5) {
            0 | 1 => self.mbi(),
            2 => {
                let mbi = self.mbi();
                format!("{}-{}-{}", &mbi[..4], &mbi[4..7], &mbi[7..])
            }
            3 => format!("{}{}", self.upper(3), self.digits(9)),
            4 => format!("W{} {}", self.digits(8), self.digits(2)),
            _ => format!("{}{}", self.upper(1), self.digits(10)),
        }
    }

    /// A Medicare Beneficiary Identifier: C A AN N A AN N A A N N (no S, L, O, I, B, Z).
    pub fn mbi(&mut self) -> String {
        let mut s = String::with_capacity(11);
        s.push(char::from(b'1' + self.rng.gen_range(0..9u8)));
        for slot in "AXNAXNAANN".bytes() {
            let c = match slot {
                b'A' => self.letters_from(MBI_LETTERS, 1),
                b'N' => self.digits(1),
                _ => {
                    if self.chance(0.5) {
                        self.letters_from(MBI_LETTERS, 1)
                    } else {
                        self.digits(1)
                    }
                }
            };
            s.push_str(&c);
        }
        s
    }

    /// A driver's licence or professional licence / certificate number.
    pub fn license_number(&mut self) -> String {
        match self.range(0, 3) {
            0 => format!(
                "{}{}-{}-{}",
                self.upper(1),
                self.digits(3),
                self.digits(4),
                self.digits(4)
            ),
            1 => format!("{}{}", self.upper(1), self.digits(7)),
            2 => format!("OT-{}", self.digits(7)),
            _ => format!("{}-{}", self.digits(3), self.digits(6)),
        }
    }

    /// A 17-character VIN with a valid check digit in position 9.
    pub fn vin(&mut self) -> String {
        let wmi = self.pick(&[
            "1HG", "1FT", "2T1", "3VW", "JHM", "5YJ", "WBA", "KMH", "1G1",
        ]);
        let mut chars: Vec<u8> = wmi.bytes().collect();
        chars.extend(self.letters_from(VIN_CHARS, 5).bytes());
        chars.push(b'0');
        chars.extend(
            self.letters_from(b"ABCDEFGHJKLMNPRSTVWXY123456789", 1)
                .bytes(),
        );
        chars.extend(self.alnum(1).bytes());
        chars.extend(self.digits(6).bytes());
        chars[8] = vin_check_digit(&chars);
        String::from_utf8_lossy(&chars).into_owned()
    }

    /// A licence plate ("7ABC123", "KDX 4471", "ABC-1234").
    pub fn license_plate(&mut self) -> String {
        match self.range(0, 3) {
            0 => format!("{}{}{}", self.range(1, 9), self.upper(3), self.digits(3)),
            1 => format!("{} {}", self.upper(3), self.digits(4)),
            2 => format!("{}-{}", self.upper(3), self.digits(4)),
            _ => format!("{}{} {}", self.upper(2), self.digits(1), self.upper(3)),
        }
    }

    /// A device serial number or UDI.
    pub fn device_serial(&mut self) -> String {
        match self.range(0, 4) {
            0 => format!("{}-{}-{}", self.alnum(3), self.digits(6), self.upper(1)),
            1 => format!("MDT{}", self.digits(8)),
            2 => format!("{}-{}", self.alnum(5), self.digits(5)),
            3 => format!("ZXR-{}-{}", self.range(2018, 2025), self.digits(6)),
            _ => format!("(01)0088452{}(21){}", self.digits(7), self.alnum(5)),
        }
    }

    /// A URL at a reserved example domain, usually naming the patient.
    pub fn url(&mut self) -> String {
        let first = ascii_fold(&self.first_name()).to_ascii_lowercase();
        let last = ascii_fold(&self.last_name()).to_ascii_lowercase();
        let initial = first.get(..1).unwrap_or("x").to_string();
        match self.range(0, 4) {
            0 => format!("https://portal.example.org/patients/{initial}{last}"),
            1 => format!("http://www.example.com/u/{}", self.digits(5)),
            2 => format!(
                "https://myhealth.example.net/p/{first}-{last}-{}",
                self.digits(4)
            ),
            3 => format!("www.example.org/~{initial}{last}"),
            _ => format!("https://telehealth.example.com/room/{}", self.alnum(8)),
        }
    }

    /// An IPv4 address from the documentation ranges or private space.
    pub fn ipv4(&mut self) -> String {
        let host = self.range(1, 254);
        match self.range(0, 3) {
            0 => format!("192.0.2.{host}"),
            1 => format!("198.51.100.{host}"),
            2 => format!("203.0.113.{host}"),
            _ => format!("10.{}.{}.{host}", self.range(0, 255), self.range(0, 255)),
        }
    }

    /// An IPv6 address in the documentation prefix 2001:db8::/32.
    pub fn ipv6(&mut self) -> String {
        let g: Vec<String> = (0..4)
            .map(|_| format!("{:x}", self.range(1, 0xffff)))
            .collect();
        if self.chance(0.5) {
            format!("2001:db8:{}:{}::{}:{}", g[0], g[1], g[2], g[3])
        } else {
            format!("2001:db8:{}:{}:0:0:{}:{}", g[0], g[1], g[2], g[3])
        }
    }

    /// An IPv4 or (a quarter of the time) IPv6 address.
    pub fn ip(&mut self) -> String {
        if self.chance(0.25) {
            self.ipv6()
        } else {
            self.ipv4()
        }
    }

    /// A biometric template reference (fingerprint, voiceprint, retina scan).
    pub fn biometric_id(&mut self) -> String {
        match self.range(0, 3) {
            0 => self.fingerprint_id(),
            1 => self.voiceprint_id(),
            2 => self.retina_id(),
            _ => format!(
                "bio:{:08x}{:04x}",
                self.rng.gen::<u32>(),
                self.range(0, 0xffff)
            ),
        }
    }

    /// A fingerprint template reference ("FP-7731-2290-AB").
    pub fn fingerprint_id(&mut self) -> String {
        format!("FP-{}-{}-{}", self.digits(4), self.digits(4), self.upper(2))
    }

    /// A voiceprint enrolment reference ("VP-00912443").
    pub fn voiceprint_id(&mut self) -> String {
        format!("VP-{}", self.digits(8))
    }

    /// A retina-scan template reference ("RET-4482-11C").
    pub fn retina_id(&mut self) -> String {
        format!("RET-{}-{}", self.digits(4), self.alnum(3))
    }

    /// Any other unique identifying code (study, case, employee, resource ids).
    pub fn other_id(&mut self) -> String {
        match self.range(0, 3) {
            0 => format!("ST-{}-{}", self.range(2019, 2025), self.digits(4)),
            1 => format!("CASE-{}-{}", self.range(19, 25), self.digits(5)),
            2 => format!("EMP-{}", self.digits(6)),
            _ => format!("PT-{}", self.digits(5)),
        }
    }

    /// A FHIR-style resource id ("pat-4821").
    pub fn resource_id(&mut self, prefix: &str) -> String {
        let len = self.index(3) + 4;
        format!("{prefix}-{}", self.digits(len))
    }

    /// A random lowercase UUID (v4 layout).
    pub fn uuid(&mut self) -> String {
        let a: u32 = self.rng.gen();
        let b: u16 = self.rng.gen();
        let c: u16 = self.rng.gen::<u16>() & 0x0fff;
        let d: u16 = (self.rng.gen::<u16>() & 0x3fff) | 0x8000;
        let e: u64 = self.rng.gen::<u64>() & 0xffff_ffff_ffff;
        format!("{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}")
    }
}

fn ordinal(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// The check digit (position 9) for a 17-byte VIN: the validator's, so generated VINs are
/// exactly the ones the detector accepts (the known-answer tests pin it down).
pub fn vin_check_digit(vin: &[u8]) -> u8 {
    crate::detect::validate::vin_check_digit(vin).unwrap_or(b'0')
}

/// Strips the diacritics used in the name lists so names fit e-mail and URL local parts.
pub fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' | 'ễ' | 'ế' => Some('e'),
            'í' | 'ì' | 'î' | 'ï' => Some('i'),
            'ó' | 'ò' | 'ô' | 'ö' | 'ø' | 'ő' => Some('o'),
            'ú' | 'ù' | 'û' | 'ü' | 'ư' => Some('u'),
            'ñ' => Some('n'),
            'ç' => Some('c'),
            'ł' | 'Ł' => Some('l'),
            'Ó' => Some('o'),
            'Á' => Some('a'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}
