//! Word lists for the synthetic generator: invented names, places and clinical vocabulary.
//!
//! Every list is plain data. Names include a few with diacritics (for char-offset tests) and a
//! few that are also English words (Will, May, Mark, Grace, Brown) so precision can be measured
//! against the same words used as ordinary words in the notes.

/// Women's given names (a few are also English words: May, Grace, June, Hope, Joy).
pub const FEMALE_NAMES: &[&str] = &[
    "Anna", "Maria", "Linda", "Patricia", "Barbara", "Susan", "Dorothy", "Helen", "Margaret",
    "Ruth", "Evelyn", "Gloria", "Irene", "Lucille", "May", "Grace", "June", "Rose", "Hope",
    "Faith", "Dawn", "Joy", "Zoë", "Renée", "Chloé", "Siobhán", "Thảo", "Mỹ", "Aaliyah", "Priya",
    "Mei", "Fatima", "Ingrid", "Tanya", "Carmen", "Brigid", "Nadia",
];

/// Men's given names (a few are also English words: Will, Mark, Art).
pub const MALE_NAMES: &[&str] = &[
    "Kevin", "James", "Robert", "Michael", "David", "Thomas", "Charles", "George", "Edward",
    "Frank", "Harold", "Walter", "Raymond", "Will", "Mark", "Art", "José", "Søren", "Łukasz",
    "Ólafur", "DeShawn", "Hiroshi", "Olumide", "Tomasz", "Marcus", "Luis", "Wei", "Anil", "Dmitri",
];

/// Family names.
pub const LAST_NAMES: &[&str] = &[
    "Kowalski",
    "Smith",
    "Johnson",
    "Brown",
    "White",
    "Young",
    "Walker",
    "Hill",
    "King",
    "Garcia",
    "Martinez",
    "Rodriguez",
    "Okafor",
    "Nguyễn",
    "Trần",
    "Müller",
    "Schröder",
    "Ødegaard",
    "Peña",
    "Muñoz",
    "O'Connor",
    "Smith-Jones",
    "Van der Berg",
    "McAllister",
    "Fitzgerald",
    "Abernathy",
    "Castellano",
    "Delacroix",
    "Esposito",
    "Friedman",
    "Gallagher",
    "Haddad",
    "Ivanova",
    "Jablonski",
    "Kaczmarek",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Oyelaran",
    "Petrosyan",
    "Quintero",
    "Rasmussen",
    "Sandoval",
    "Takahashi",
    "Underwood",
    "Vasquez",
    "Whitfield",
    "Yamamoto",
    "Zielinski",
    "Boateng",
    "Chatterjee",
    "Dunleavy",
    "Eriksen",
    "Patel",
    "Lee",
    "Kim",
    "Chen",
    "Cohen",
    "Murphy",
    "Reyes",
    "Hoang",
];

/// (city, state, ZIP prefix). Cities are sub-state geography, so PHI.
pub const PLACES: &[(&str, &str, &str)] = &[
    ("Springfield", "IL", "627"),
    ("Riverton", "WY", "825"),
    ("Fairview", "TN", "370"),
    ("Greenville", "SC", "296"),
    ("Madison", "WI", "537"),
    ("Georgetown", "TX", "786"),
    ("Franklin", "MA", "020"),
    ("Clinton", "IA", "527"),
    ("Salem", "OR", "973"),
    ("Bristol", "CT", "060"),
    ("Oakland", "CA", "946"),
    ("Burlington", "VT", "054"),
    ("Aurora", "CO", "800"),
    ("Lakewood", "NJ", "087"),
    ("Dayton", "OH", "454"),
    ("Bozeman", "MT", "597"),
    ("Tacoma", "WA", "984"),
    ("Peoria", "AZ", "853"),
    ("Rochester", "MN", "559"),
    ("Savannah", "GA", "314"),
    ("Provo", "UT", "846"),
    ("Duluth", "MN", "558"),
    ("Asheville", "NC", "288"),
    ("Bangor", "ME", "044"),
    ("Kalamazoo", "MI", "490"),
    ("Santa Fe", "NM", "875"),
    ("St. Cloud", "MN", "563"),
    ("Cedar Rapids", "IA", "524"),
];

/// County stems ("<stem> County").
pub const COUNTIES: &[&str] = &[
    "Sangamon",
    "Fremont",
    "Williamson",
    "Dane",
    "Marion",
    "Cook",
    "Travis",
    "Polk",
    "Hennepin",
];

/// Facility kinds appended to a city name.
pub const FACILITY_KINDS: &[&str] = &[
    "Rehab Center",
    "Memorial Hospital",
    "Outpatient Therapy",
    "Senior Living",
    "Skilled Nursing Facility",
    "Hand Clinic",
];

/// Street names.
pub const STREETS: &[&str] = &[
    "Main",
    "Oak Ridge",
    "Maple",
    "Cedar",
    "Elm",
    "Lincoln",
    "Washington",
    "Lakeview",
    "Park",
    "Hillcrest",
    "Sunset",
    "Willow Creek",
    "Prairie",
    "Church",
    "Mill",
    "Orchard",
];

/// Street suffixes.
pub const STREET_SUFFIXES: &[&str] = &[
    "St", "Ave", "Dr", "Rd", "Ln", "Blvd", "Ct", "Way", "Street", "Avenue", "Pl",
];

/// (CPT code, short description) used in OT billing.
pub const CPT: &[(&str, &str)] = &[
    ("97110", "therapeutic exercise"),
    ("97140", "manual therapy"),
    ("97530", "therapeutic activities"),
    ("97535", "self-care/home management training"),
    ("97165", "OT evaluation, low complexity"),
    ("97166", "OT evaluation, moderate complexity"),
    ("97167", "OT evaluation, high complexity"),
    ("97168", "OT re-evaluation"),
    ("97150", "group therapeutic procedures"),
    ("97112", "neuromuscular re-education"),
    ("97760", "orthotic management and training"),
    ("97763", "orthotic/prosthetic management, subsequent"),
];

/// (ICD-10-CM code, description).
pub const ICD10: &[(&str, &str)] = &[
    ("M62.81", "muscle weakness (generalized)"),
    ("R26.89", "other abnormalities of gait and mobility"),
    ("Z96.651", "presence of right artificial knee joint"),
    (
        "S52.501A",
        "unspecified fracture of the lower end of right radius, initial encounter",
    ),
    (
        "G81.91",
        "hemiplegia, unspecified affecting right dominant side",
    ),
    (
        "I69.351",
        "hemiplegia following cerebral infarction affecting right dominant side",
    ),
    ("M19.041", "primary osteoarthritis, right hand"),
    (
        "M75.101",
        "rotator cuff tear of right shoulder, not specified as traumatic",
    ),
    ("G56.01", "carpal tunnel syndrome, right upper limb"),
    ("R27.8", "other lack of coordination"),
    ("Z47.1", "aftercare following joint replacement surgery"),
];

/// Activities of daily living used in goals.
pub const ADLS: &[&str] = &[
    "lower-body dressing",
    "upper-body dressing",
    "toileting",
    "tub transfers",
    "meal preparation",
    "grooming at the sink",
    "medication management",
    "light housekeeping",
    "bathing",
    "handwriting",
];

/// Goal statuses (kept content, kind "goal_status").
pub const GOAL_STATUS: &[&str] = &[
    "goal met",
    "partially met",
    "not met",
    "progressing",
    "goal met",
    "partially met",
];

/// Relations used for relatives (not PHI by themselves), with whether the relative is a woman.
pub const RELATIONS: &[(&str, bool)] = &[
    ("son", false),
    ("daughter", true),
    ("husband", false),
    ("wife", true),
    ("sister", true),
    ("brother", false),
    ("granddaughter", true),
    ("grandson", false),
    ("niece", true),
    ("nephew", false),
];

/// Provider credentials appended after therapist signatures.
pub const CREDENTIALS: &[&str] = &["OTR/L", "MS, OTR/L", "OTD, OTR/L", "COTA/L", "OTR/L, CHT"];

/// Sentences that use name-like or date-like words without any PHI (precision negatives).
pub const NEGATIVES: &[&str] = &[
    "Will continue current plan of care 2x/week for 4 weeks.",
    "May benefit from a tub transfer bench and long-handled sponge.",
    "Mark the calendar for home program review at next visit.",
    "Grace period for prior authorization applies; will resubmit if denied.",
    "Pt rose from chair with min A x1 and used front-wheeled walker.",
    "Pain 4/10 at rest, 6/10 with resisted wrist extension.",
    "BP 128/76, HR 72, SpO2 97% on room air.",
    "Hope to progress to community outings next month.",
    "Brown bag medication review completed with nursing.",
    "Reviewed 3 of 5 goals; remaining goals carried forward.",
    "Young adult caregiver support group handout provided.",
    "Joy of cooking reported as a meaningful occupation.",
    "Art therapy referral discussed; pt declined for now.",
    "Fall risk precautions reviewed. Dawn and dusk lighting recommended in hallway.",
    "Patient is a 67 y/o female with good rehab potential.",
    "Seen in Room 4; session 6 of 12 authorized visits.",
    "Faith community involvement supports discharge plan.",
    "Hill and ramp negotiation deferred until next session.",
    "White resting hand splint issued; skin check clear.",
    "Walker height adjusted to wrist crease.",
];
