"""Word lists for the fictional sector: places, bodies, suppliers, expense types.

Kept apart from the code so the vocabulary can be read and extended on its own. Every
place and body name is invented; none is a real UK body (real-looking *kinds* and real
SeRCOP service names are used on purpose, because those are what ingest must recognise).
"""

from __future__ import annotations

# Invented place names, used first and in this order; more are built from PLACE_HEADS x
# PLACE_TAILS when a run asks for more bodies than these cover.
PLACES = (
    "Northmoor", "Elmbridge Vale", "Saltmarsh", "Kestrelford", "Harrowdene", "Wyvernham",
    "Sallowmere", "Oakhallow", "Fennmarsh", "Greywold", "Larkspur Vale", "Brackenmoor",
    "Thistledown", "Marshcombe", "Ravensholt", "Coldwater Vale", "Hollowmere", "Kingsmere Down",
    "Aldermoor", "Copperdale", "Wrenfield", "Heronsgate Vale", "Otterbrook", "Lowmarsh",
    "Highcombe Forest", "Sparrowdene", "Mistleford", "Gorsemoor", "Byrnham", "Quillmouth",
)
PLACE_HEADS = (
    "Ash", "Bram", "Cold", "Dun", "Elder", "Fern", "Gull", "Hazel", "Iver", "Kestrel", "Lark",
    "Moss", "Nettle", "Oak", "Pike", "Quarry", "Rush", "Sedge", "Teal", "Umber", "Vetch", "Wold",
    "Yarrow", "Bryony", "Corrie", "Dipper", "Fallow", "Grebe", "Hornbeam", "Juniper",
)
PLACE_TAILS = (
    "combe", "mere", "wold", "dene", "moor", "holt", "stow", "wick", "thwaite", "marsh",
    "brook", "hithe", "ridge", "vale", "cote",
)

# (name, abbreviation) of fictional ministerial departments.
DEPARTMENTS = (
    ("Department for Rural Resilience", "DRR"),
    ("Department for Coastal Affairs", "DCA"),
    ("Ministry of Public Infrastructure Renewal", "MPIR"),
    ("Department for Skills and Apprenticeships", "DSA"),
    ("Department for Water Security", "DWS"),
    ("Department for Community Cohesion", "DfCC"),
    ("Ministry of Civic Records", "MCR"),
    ("Department for Heritage and Tourism", "DHaT"),
)
DEPARTMENT_THEMES = (
    "Upland Economies", "Inland Waterways", "Civic Renewal", "Energy Storage", "Food Resilience",
    "Public Records", "Regional Growth", "Apprenticeship Standards", "Coastal Defence",
    "Rural Broadband", "Civic Data", "Northern Connectivity",
)
AGENCIES = (
    ("Seed and Crop Certification Agency", "SCCA"),
    ("Flood Forecasting Service", "FFS"),
    ("Coastal Survey Agency", "CSA"),
    ("Apprenticeship Funding Agency", "AFA"),
    ("Reservoir Safety Agency", "RSA"),
    ("Civic Records Office", "CRO"),
    ("Bridge Inspection Agency", "BIA"),
    ("Heritage Grants Agency", "HGA"),
)
NDPBS = (
    ("Upland Landscapes Commission", "ULC"),
    ("National Canal Heritage Board", "NCHB"),
    ("Fisheries Quota Authority", "FQA"),
    ("Digital Standards Board", "DSB"),
    ("Tidal Energy Council", "TEC"),
    ("Skills Accreditation Panel", "SAP"),
)

# Supplier name parts.
STEMS = (
    "Ashdown", "Brightwell", "Calderbank", "Dunmore", "Easterby", "Fairhaven", "Greystone",
    "Hallworth", "Ingleby", "Jessop", "Kirkwood", "Lambourne", "Mercer", "Northgate", "Oakfield",
    "Pemberton", "Quayle", "Redfern", "Stanmore", "Thornleigh", "Underwood", "Vickery",
    "Westbrook", "Yardley", "Aldridge", "Beaumont", "Carrow", "Davenport", "Elsworth", "Fenwick",
    "Garside", "Hartley", "Ibbotson", "Kendrick", "Lockwood", "Marlow", "Netherby", "Oldroyd",
    "Prescott", "Radcliffe", "Sefton", "Tennant", "Upton", "Varley", "Whitlock", "Ackroyd",
    "Blakemore", "Cranfield", "Denholm", "Eversley", "Fothergill", "Gilmour", "Holroyd",
    "Illingworth", "Kettlewell", "Langstone", "Moorcroft", "Nettleton", "Ormerod", "Pickering",
    "Rushworth", "Summerhill", "Tolland", "Wainwright", "Atherton", "Bexley", "Corbridge",
    "Dalby", "Endersby", "Farrant", "Goodall", "Huxley", "Jarrow", "Kilburn", "Lindley",
    "Midgley", "Norcross", "Openshaw", "Pollard", "Ramsden", "Shipley", "Tattersall", "Utley",
    "Waddington", "Apex", "Beacon", "Cobalt", "Delta", "Evergreen", "Keystone", "Meridian",
    "Nimbus", "Orbital", "Pinnacle", "Quartz", "Summit", "Vantage", "Zenith", "Bluebell",
    "Cedar", "Harbour", "Lantern", "Compass", "Anchor", "Granite", "Silverline", "Redkite",
    "Skylark", "Foxglove", "Heather", "Willow", "Rowan", "Birchwood", "Kingfisher", "Total",
    "Café Verde", "Crème", "Brûlée", "Jupiter", "Mosaic", "Ember", "Pioneer", "Sterling",
    "Tandem", "Unity", "Vertex", "Wavelength",
)
SURNAMES = STEMS[:84]
FIRST_NAMES = (
    "Alan", "Beth", "Carl", "Diane", "Edward", "Fiona", "Gareth", "Helen", "Ian", "Joanne",
    "Keith", "Linda", "Martin", "Nadia", "Owen", "Priya", "Rachel", "Simon", "Tariq", "Una",
    "Victor", "Wendy", "Yusuf", "Zoe",
)
LEGAL = ("Ltd", "Ltd", "Ltd", "Limited", "Limited", "LLP", "PLC", "UK Ltd", "Group Ltd",
         "(UK) Limited", "Ltd", "CIC")
CHARITY_FORMS = ("Trust", "Foundation", "Community Interest Company", "Association", "Network",
                 "Partnership", "Hospice", "Housing Association", "Carers Group", "Youth Trust")

# Supplier categories: drive expense types, descriptions and the sector a supplier fits.
CATEGORIES = (
    "it", "facilities", "property", "staffing", "consultancy", "care", "construction",
    "grants", "utilities", "legal", "travel", "medical", "transport", "education", "waste",
    "comms",
)
TRADES = {
    "it": ("IT Solutions", "Digital", "Software", "Data Services", "Networks", "Cloud Services"),
    "facilities": ("Facilities Management", "Cleaning Services", "Security", "Catering",
                   "Grounds Maintenance"),
    "property": ("Estates", "Property Services", "Surveyors", "Lettings"),
    "staffing": ("Recruitment", "Staffing Solutions", "Interim Management", "Locums"),
    "consultancy": ("Consulting", "Advisory", "Associates", "Partners", "Research"),
    "care": ("Care Services", "Home Care", "Care Homes", "Supported Living", "Fostering"),
    "construction": ("Construction", "Civil Engineering", "Building Services", "Roofing",
                     "Contractors"),
    "grants": ("Community Projects", "Development Trust", "Arts Collective"),
    "utilities": ("Energy", "Water Services", "Power", "Telecom"),
    "legal": ("Solicitors", "Legal Services", "Chambers"),
    "travel": ("Travel", "Hotels", "Conferences"),
    "medical": ("Medical", "Surgical Supplies", "Diagnostics", "Pharma", "Healthcare"),
    "transport": ("Transport", "Coaches", "Logistics", "Fleet Services", "Taxis"),
    "education": ("Learning", "Training", "Education Services", "Tutors"),
    "waste": ("Waste Services", "Recycling", "Environmental"),
    "comms": ("Print & Design", "Media", "Communications", "Marketing"),
}
CATEGORY_WEIGHTS = (10, 9, 6, 8, 8, 8, 7, 4, 4, 4, 3, 6, 5, 4, 4, 4)

# Expense types by sector and supplier category; each (label, subjective group, capital?).
_C, _R = True, False
EXPENSE_TYPES = {
    "central": {
        "it": (("IT Services", "Supplies and Services", _R), ("Software Licences", "Supplies and Services", _R),
               ("IT Hardware", "Capital", _C)),
        "facilities": (("Facilities Management", "Premises", _R), ("Cleaning", "Premises", _R),
                       ("Security Services", "Premises", _R)),
        "property": (("Rent", "Premises", _R), ("Service Charges", "Premises", _R),
                     ("Rates", "Premises", _R)),
        "staffing": (("Contingent Labour", "Employees", _R), ("Interim Staff", "Employees", _R)),
        "consultancy": (("Consultancy", "Supplies and Services", _R),
                        ("Research and Development", "Supplies and Services", _R),
                        ("Professional Fees", "Supplies and Services", _R)),
        "care": (("Grant - Voluntary Sector", "Third Party Payments", _R),),
        "construction": (("Capital Works", "Capital", _C), ("Building Maintenance", "Premises", _R)),
        "grants": (("Grant Payments", "Third Party Payments", _R),
                   ("Grant-in-Aid", "Third Party Payments", _R)),
        "utilities": (("Electricity", "Premises", _R), ("Telecommunications", "Supplies and Services", _R)),
        "legal": (("Legal Fees", "Supplies and Services", _R),),
        "travel": (("Travel and Subsistence", "Transport", _R), ("Conference Costs", "Supplies and Services", _R)),
        "medical": (("Occupational Health", "Supplies and Services", _R),),
        "transport": (("Vehicle Hire", "Transport", _R), ("Freight and Haulage", "Transport", _R)),
        "education": (("Training", "Employees", _R), ("Learning and Development", "Employees", _R)),
        "waste": (("Waste Disposal", "Premises", _R),),
        "comms": (("Publicity and Advertising", "Supplies and Services", _R), ("Printing", "Supplies and Services", _R)),
    },
    "local": {
        "it": (("ICT Software", "Supplies and Services", _R), ("ICT Hardware", "Supplies and Services", _R),
               ("ICT Maintenance", "Supplies and Services", _R)),
        "facilities": (("Cleaning and Domestic Supplies", "Premises-Related Expenditure", _R),
                       ("Catering", "Supplies and Services", _R), ("Security", "Premises-Related Expenditure", _R)),
        "property": (("Rents", "Premises-Related Expenditure", _R), ("Rates", "Premises-Related Expenditure", _R)),
        "staffing": (("Agency Staff", "Employees", _R), ("Temporary Staff", "Employees", _R)),
        "consultancy": (("Consultants Fees", "Supplies and Services", _R),
                        ("Professional Services", "Supplies and Services", _R)),
        "care": (("Residential Care", "Third Party Payments", _R), ("Domiciliary Care", "Third Party Payments", _R),
                 ("Supported Living", "Third Party Payments", _R), ("Independent Fostering Agencies", "Third Party Payments", _R)),
        "construction": (("Repairs and Maintenance of Buildings", "Premises-Related Expenditure", _R),
                         ("Capital Works - Construction", "Capital", _C), ("Highways Maintenance", "Premises-Related Expenditure", _R)),
        "grants": (("Grants to Voluntary Organisations", "Third Party Payments", _R),
                   ("Grants and Subscriptions", "Supplies and Services", _R)),
        "utilities": (("Electricity", "Premises-Related Expenditure", _R), ("Gas", "Premises-Related Expenditure", _R),
                      ("Water Services", "Premises-Related Expenditure", _R)),
        "legal": (("Legal Fees", "Supplies and Services", _R),),
        "travel": (("Travel Expenses", "Transport-Related Expenditure", _R),),
        "medical": (("Public Health Services", "Third Party Payments", _R),),
        "transport": (("Home to School Transport", "Transport-Related Expenditure", _R),
                      ("Contract Hire and Operating Leases", "Transport-Related Expenditure", _R),
                      ("Fuel", "Transport-Related Expenditure", _R)),
        "education": (("Payments to Schools", "Third Party Payments", _R), ("Training Costs", "Employees", _R)),
        "waste": (("Waste Disposal", "Supplies and Services", _R), ("Recycling Credits", "Supplies and Services", _R)),
        "comms": (("Printing and Stationery", "Supplies and Services", _R), ("Advertising", "Supplies and Services", _R)),
    },
    "nhs": {
        "it": (("IT Software Licences", "Non-Pay", _R), ("IT Hardware", "Capital", _C)),
        "facilities": (("Cleaning Services", "Non-Pay", _R), ("Catering Provisions", "Non-Pay", _R),
                       ("Laundry and Linen", "Non-Pay", _R)),
        "property": (("Rent", "Non-Pay", _R), ("Rates", "Non-Pay", _R)),
        "staffing": (("Agency Nursing", "Pay", _R), ("Agency Medical Locums", "Pay", _R),
                     ("Bank Staff", "Pay", _R)),
        "consultancy": (("Consultancy", "Non-Pay", _R), ("Audit Fees", "Non-Pay", _R)),
        "care": (("Healthcare from Non-NHS Bodies", "Non-Pay", _R),),
        "construction": (("Capital Projects", "Capital", _C), ("Estates Maintenance", "Non-Pay", _R)),
        "grants": (("Charitable Funds", "Non-Pay", _R),),
        "utilities": (("Energy", "Non-Pay", _R), ("Water and Sewerage", "Non-Pay", _R)),
        "legal": (("Legal Fees", "Non-Pay", _R), ("Clinical Negligence", "Non-Pay", _R)),
        "travel": (("Patient Transport", "Non-Pay", _R),),
        "medical": (("Drugs", "Non-Pay", _R), ("Medical and Surgical Equipment", "Non-Pay", _R),
                    ("Clinical Supplies", "Non-Pay", _R), ("Diagnostic Services", "Non-Pay", _R)),
        "transport": (("Patient Transport Services", "Non-Pay", _R), ("Courier Services", "Non-Pay", _R)),
        "education": (("Education and Training", "Non-Pay", _R),),
        "waste": (("Clinical Waste", "Non-Pay", _R),),
        "comms": (("Printing and Stationery", "Non-Pay", _R),),
    },
}

# Description templates per category; {m} month name, {y} year, {q} quarter, {fy} year span.
DESCRIPTIONS = {
    "it": ("Software licence renewal {fy}", "Managed IT service {m} {y}", "Laptops and peripherals",
           "Network support - {q}", "Cloud hosting charges {m}"),
    "facilities": ("Cleaning contract {m} {y}", "Security guarding {m}", "Catering services {q}",
                   "Facilities management - monthly charge", "Grounds maintenance, {q}"),
    "property": ("Rent {q} {fy}", "Service charge {q}", "Business rates {fy}",
                 "Quarterly rent - {m} {y}", "Dilapidations settlement"),
    "staffing": ("Agency staff w/e {d}/{mn}/{y}", "Interim manager - {m}", "Locum cover {m} {y}",
                 "Temporary admin support", "Contingent labour {q}"),
    "consultancy": ("Consultancy support - phase 2", "Programme assurance review",
                    "Research project milestone 3", "Advisory services {m}", "Options appraisal, {fy}"),
    "care": ("Residential placement {m} {y}", "Domiciliary care - 4 weekly", "Supported living package",
             "Fostering placement {m}", "Care package, {q}"),
    "construction": ("Roof replacement works", "Highways resurfacing scheme", "Capital works valuation 4",
                     "Responsive repairs {m}", "Retention release"),
    "grants": ("Community grant award {fy}", "Grant payment {q}", "Grant-in-aid {m} {y}",
               "Voluntary sector grant - tranche 2", "Small grants scheme"),
    "utilities": ("Electricity {m} {y}", "Gas supply {q}", "Water charges {q}",
                  "Telephony and lines rental", "Energy - {m}"),
    "legal": ("Legal advice - case 4471", "Counsel fees", "Legal services {q}",
              "Conveyancing costs", "Settlement of claim"),
    "travel": ("Staff travel {m}", "Conference booking", "Hotel accommodation {m}",
               "Rail tickets {q}", "Travel and subsistence {m} {y}"),
    "medical": ("Drugs supply {m}", "Surgical consumables", "Diagnostic tests {m} {y}",
                "Medical equipment - capital", "Pharmacy stock {q}"),
    "transport": ("Home to school transport {m}", "Vehicle lease {q}", "Fleet maintenance",
                  "Courier services {m}", "Fuel cards {m} {y}"),
    "education": ("Training course fees", "Apprenticeship levy top-up", "Learning programme {fy}",
                  "Tuition fees {q}", "Leadership development"),
    "waste": ("Waste disposal {m} {y}", "Recycling credits {q}", "Clinical waste collection",
              "Landfill tax {q}", "Bulky waste collections"),
    "comms": ("Printing - annual report", "Advertising campaign {m}", "Design services",
              "Recruitment advertising", "Public consultation leaflets"),
}

CENTRAL_AREAS = (
    "Corporate Services", "Digital and Technology", "Policy Group", "Operations Directorate",
    "Estates and Facilities", "Finance Directorate", "People and Capability", "Legal Services",
    "Communications", "Programme Delivery", "Regional Network", "Strategy and Evidence",
)
NHS_AREAS = (
    "Estates & Facilities", "Pharmacy", "Surgery Division", "Medicine Division",
    "Women & Children", "IM&T", "Corporate Services", "Clinical Support Services",
    "Emergency Care", "Community Services",
)
# Real SeRCOP service names: what a local body's 'Service Area' column holds.
LOCAL_AREAS = {
    "all": ("Central Services", "Cultural and Related Services", "Environmental and Regulatory Services",
            "Planning and Development Services", "Housing Services (GFRA only)"),
    "upper": ("Adult Social Care", "Children's Social Care", "Education Services",
              "Highways and Transport Services", "Public Health"),
}
LOCAL_DIVISIONS = (
    "Commissioning", "Operations", "Strategy and Resources", "Business Support", "Localities",
    "Neighbourhood Services", "Asset Management", "Customer Services",
)
LOCAL_UNITS = (
    "North Locality Team", "South Locality Team", "Central Procurement", "Fleet Unit",
    "Schools Support", "Placements Team", "Waste Operations", "Libraries", "Revenues and Benefits",
    "Parks and Open Spaces",
)

FOOTER_NOTES = (
    "Data excludes payments to individuals",
    "Payments to individuals have been redacted under the Data Protection Act",
    "Figures are net of recoverable VAT",
)
