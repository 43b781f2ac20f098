/**
 * Word lists of the demo catalogue (see catalogue-generator.ts). Changing them changes every
 * generated catalogue, so the committed benchmark report names the generator it ran against.
 */

export interface AttributeSpec {
  key: string;
  values: readonly (string | number)[];
}

export interface CategoryVocabulary {
  /** Stored as the product's category and shown as a facet. */
  category: string;
  adjectives: readonly string[];
  materials: readonly string[];
  nouns: readonly string[];
  /** "built for …" */
  uses: readonly string[];
  /** "… in daily use in …" */
  settings: readonly string[];
  /** "… gives it …" */
  benefits: readonly string[];
  standards: readonly string[];
  /** Price range in EUR cents; prices are drawn log-uniformly inside it. */
  priceMinor: readonly [number, number];
  attributes: readonly AttributeSpec[];
}

export const CATALOGUE_VOCABULARY: readonly CategoryVocabulary[] = [
  {
    category: 'Industrial Supplies',
    adjectives: [
      'Heavy-Duty',
      'Corrosion-Resistant',
      'Precision',
      'High-Tensile',
      'Reinforced',
      'Industrial',
    ],
    materials: ['Stainless Steel', 'Galvanised Steel', 'Brass', 'Zinc-Plated Steel', 'Nylon', 'Carbon Steel'],
    nouns: ['Hex Bolt', 'Socket Screw', 'Ball Bearing', 'Hose Clamp', 'Spring Washer', 'Anchor Bolt'],
    uses: ['machine assembly', 'plant maintenance', 'structural fixing', 'conveyor repair'],
    settings: ['workshops', 'production lines', 'maintenance depots'],
    benefits: ['a long service life', 'reliable clamping force', 'resistance to rust'],
    standards: ['DIN 933', 'ISO 4017', 'ISO 9001'],
    priceMinor: [15, 12_000],
    attributes: [
      { key: 'thread', values: ['M4', 'M5', 'M6', 'M8', 'M10', 'M12', 'M16'] },
      { key: 'length_mm', values: [10, 16, 20, 25, 30, 40, 50, 60, 80, 100] },
      { key: 'finish', values: ['plain', 'zinc plated', 'black oxide', 'hot-dip galvanised'] },
    ],
  },
  {
    category: 'Office Supplies',
    adjectives: ['Ergonomic', 'Compact', 'Premium', 'Eco', 'Executive', 'Everyday'],
    materials: ['Recycled Cardboard', 'Bamboo', 'Polypropylene', 'Steel', 'Oak Veneer', 'FSC Paper'],
    nouns: ['Ring Binder', 'Desk Organiser', 'Copy Paper Ream', 'Stapler', 'Whiteboard', 'Monitor Stand'],
    uses: ['busy offices', 'reception desks', 'shared workspaces', 'home offices'],
    settings: ['open-plan offices', 'meeting rooms', 'back offices'],
    benefits: ['a clean, professional look', 'years of daily use', 'a tidy desk'],
    standards: ['EN 71-3', 'FSC Mix', 'Blue Angel'],
    priceMinor: [90, 45_000],
    attributes: [
      { key: 'colour', values: ['black', 'white', 'grey', 'blue', 'natural'] },
      { key: 'format', values: ['A4', 'A3', 'A5', 'Letter'] },
      { key: 'recycled_content_pct', values: [0, 30, 50, 80, 100] },
    ],
  },
  {
    category: 'Packaging',
    adjectives: [
      'Double-Wall',
      'Recyclable',
      'Tear-Resistant',
      'Lightweight',
      'Water-Resistant',
      'Heavy-Duty',
    ],
    materials: ['Kraft Paper', 'Polyethylene', 'Recycled Cardboard', 'Polypropylene', 'PLA', 'PET'],
    nouns: [
      'Corrugated Box',
      'Stretch Film',
      'Bubble Wrap Roll',
      'Packing Tape',
      'Mailer Bag',
      'Void Fill Paper',
    ],
    uses: ['e-commerce fulfilment', 'pallet shipping', 'warehouse dispatch', 'fragile goods'],
    settings: ['fulfilment centres', 'dispatch rooms', 'distribution hubs'],
    benefits: ['protection in transit', 'low shipping weight', 'fast packing'],
    standards: ['FEFCO 0201', 'EN 13432', 'ISTA 3A'],
    priceMinor: [20, 8_000],
    attributes: [
      { key: 'width_mm', values: [50, 100, 300, 500, 750, 1000] },
      { key: 'thickness_micron', values: [12, 17, 23, 30, 50] },
      { key: 'recyclable', values: ['yes', 'no'] },
    ],
  },
  {
    category: 'Electronic Components',
    adjectives: [
      'Low-Noise',
      'High-Voltage',
      'Surface-Mount',
      'Through-Hole',
      'Miniature',
      'Automotive-Grade',
    ],
    materials: ['Ceramic', 'Copper', 'Aluminium', 'FR4', 'Tinned Copper', 'Polyamide'],
    nouns: [
      'Capacitor',
      'Voltage Regulator',
      'Terminal Block',
      'Relay Module',
      'Heat Sink',
      'Crimp Connector',
    ],
    uses: ['power supplies', 'control cabinets', 'embedded prototypes', 'automotive electronics'],
    settings: ['electronics labs', 'assembly lines', 'repair benches'],
    benefits: ['stable operation', 'low thermal resistance', 'tight tolerances'],
    standards: ['RoHS', 'AEC-Q200', 'IEC 60068'],
    priceMinor: [5, 9_000],
    attributes: [
      { key: 'rated_voltage_v', values: [5, 12, 24, 48, 230, 400] },
      { key: 'tolerance_pct', values: [1, 2, 5, 10, 20] },
      { key: 'package', values: ['0603', '0805', 'SOT-23', 'TO-220', 'DIP-8', 'DIN rail'] },
    ],
  },
  {
    category: 'Laboratory Equipment',
    adjectives: ['Sterile', 'Autoclavable', 'Graduated', 'Chemical-Resistant', 'Calibrated', 'Low-Retention'],
    materials: ['Borosilicate Glass', 'Polypropylene', 'PTFE', 'Stainless Steel', 'Polystyrene', 'Quartz'],
    nouns: [
      'Beaker',
      'Pipette Tip Rack',
      'Centrifuge Tube',
      'Petri Dish',
      'Magnetic Stirrer',
      'Volumetric Flask',
    ],
    uses: ['sample preparation', 'cell culture', 'quality control', 'teaching laboratories'],
    settings: ['research labs', 'clinical labs', 'QC departments'],
    benefits: ['accurate, repeatable results', 'high chemical resistance', 'clear graduations'],
    standards: ['ISO 3819', 'ISO 8655', 'DIN 12331'],
    priceMinor: [60, 250_000],
    attributes: [
      { key: 'volume_ml', values: [1.5, 5, 15, 50, 100, 250, 500, 1000] },
      { key: 'sterile', values: ['yes', 'no'] },
      { key: 'max_temperature_c', values: [121, 150, 250, 500] },
    ],
  },
  {
    category: 'Safety & PPE',
    adjectives: ['Certified', 'Anti-Fog', 'Disposable', 'Flame-Retardant', 'Reusable', 'Breathable'],
    materials: ['Nitrile', 'Polycarbonate', 'HDPE', 'Polyester', 'Aramid', 'Leather'],
    nouns: ['Gloves', 'Safety Goggles', 'Hard Hat', 'Hi-Vis Vest', 'Ear Defenders', 'Respirator Mask'],
    uses: ['construction sites', 'chemical handling', 'warehouse work', 'food processing'],
    settings: ['factories', 'building sites', 'laboratories'],
    benefits: ['all-day comfort', 'dependable protection', 'a secure fit'],
    standards: ['EN 374', 'EN 166', 'EN 397', 'EN 149 FFP2'],
    priceMinor: [40, 30_000],
    attributes: [
      { key: 'size', values: ['S', 'M', 'L', 'XL', 'one size'] },
      { key: 'colour', values: ['orange', 'yellow', 'blue', 'white', 'black'] },
      { key: 'protection_class', values: ['1', '2', '3', 'FFP2', 'FFP3'] },
    ],
  },
  {
    category: 'Cleaning & Janitorial',
    adjectives: [
      'Concentrated',
      'Eco-Certified',
      'Fragrance-Free',
      'Antibacterial',
      'Commercial',
      'Absorbent',
    ],
    materials: ['Microfibre', 'Cotton', 'Recycled Paper', 'Stainless Steel', 'Polypropylene', 'Plant-Based'],
    nouns: [
      'Floor Cleaner',
      'Cleaning Cloth',
      'Mop Head',
      'Hand Soap Refill',
      'Paper Towel Roll',
      'Degreaser',
    ],
    uses: ['hospitality', 'office cleaning', 'healthcare facilities', 'industrial kitchens'],
    settings: ['hotels', 'schools', 'hospitals'],
    benefits: ['streak-free results', 'fast drying', 'low consumption per clean'],
    standards: ['EU Ecolabel', 'EN 1276', 'Nordic Swan'],
    priceMinor: [80, 15_000],
    attributes: [
      { key: 'volume_l', values: [0.5, 1, 5, 10, 20] },
      { key: 'scent', values: ['unscented', 'citrus', 'pine', 'lavender'] },
      { key: 'dilution', values: ['ready to use', '1:10', '1:50', '1:100'] },
    ],
  },
  {
    category: 'Tools & Machinery',
    adjectives: ['Professional', 'Brushless', 'Cordless', 'Compact', 'Heavy-Duty', 'Precision'],
    materials: ['Chrome Vanadium', 'Hardened Steel', 'Cast Iron', 'Aluminium', 'Fibreglass', 'Composite'],
    nouns: ['Drill', 'Angle Grinder', 'Torque Wrench', 'Socket Set', 'Bench Vice', 'Hydraulic Jack'],
    uses: ['assembly work', 'metal fabrication', 'vehicle servicing', 'site installation'],
    settings: ['workshops', 'garages', 'fabrication shops'],
    benefits: ['consistent torque', 'low vibration', 'a long tool life'],
    standards: ['ISO 6789', 'EN 60745', 'DIN 3122'],
    priceMinor: [900, 180_000],
    attributes: [
      { key: 'voltage_v', values: [12, 18, 36, 230] },
      { key: 'weight_kg', values: [0.4, 0.9, 1.6, 2.5, 4, 12] },
      { key: 'warranty_years', values: [1, 2, 3, 5] },
    ],
  },
  {
    category: 'Electrical & Lighting',
    adjectives: ['Dimmable', 'Weatherproof', 'Energy-Saving', 'IP65-Rated', 'Slimline', 'Industrial'],
    materials: ['Polycarbonate', 'Aluminium', 'PVC', 'Copper', 'Die-Cast Aluminium', 'Flame-Retardant ABS'],
    nouns: ['LED Panel', 'Cable Reel', 'Circuit Breaker', 'Junction Box', 'Floodlight', 'Extension Lead'],
    uses: ['warehouse lighting', 'office refurbishment', 'outdoor installations', 'distribution boards'],
    settings: ['warehouses', 'car parks', 'offices'],
    benefits: ['low energy use', 'even, flicker-free light', 'safe installation'],
    standards: ['IEC 60898', 'EN 60598', 'CE'],
    priceMinor: [150, 60_000],
    attributes: [
      { key: 'power_w', values: [6, 10, 18, 36, 50, 100, 150] },
      { key: 'colour_temperature_k', values: [2700, 3000, 4000, 5000, 6500] },
      { key: 'ip_rating', values: ['IP20', 'IP44', 'IP65', 'IP67'] },
    ],
  },
  {
    category: 'Food Service',
    adjectives: ['Compostable', 'Dishwasher-Safe', 'Stackable', 'Food-Grade', 'Insulated', 'Commercial'],
    materials: ['Stainless Steel', 'Bagasse', 'Polypropylene', 'Cast Iron', 'Bamboo', 'Aluminium'],
    nouns: ['Gastronorm Pan', 'Chef Knife', 'Cutting Board', 'Food Container', 'Takeaway Box', 'Stock Pot'],
    uses: ['restaurant kitchens', 'catering events', 'canteens', 'takeaway service'],
    settings: ['restaurants', 'canteens', 'cafés'],
    benefits: ['easy cleaning', 'even heat distribution', 'safe food contact'],
    standards: ['EC 1935/2004', 'NSF', 'EN 631'],
    priceMinor: [25, 40_000],
    attributes: [
      { key: 'capacity_l', values: [0.35, 0.75, 1, 2.5, 6.5, 12, 20] },
      { key: 'gn_size', values: ['GN 1/1', 'GN 1/2', 'GN 1/3', 'GN 1/6'] },
      { key: 'dishwasher_safe', values: ['yes', 'no'] },
    ],
  },
  {
    category: 'IT & Networking',
    adjectives: ['Managed', 'Rack-Mount', 'Gigabit', 'PoE', 'Shielded', 'Enterprise'],
    materials: ['Cat6A Copper', 'OM4 Fibre', 'Steel', 'Aluminium', 'ABS', 'Shielded Copper'],
    nouns: ['Network Switch', 'Patch Cable', 'Rack Shelf', 'Access Point', 'USB-C Hub', 'SFP Module'],
    uses: ['server rooms', 'branch offices', 'structured cabling', 'data centre upgrades'],
    settings: ['data centres', 'server rooms', 'offices'],
    benefits: ['reliable throughput', 'simple rack installation', 'low latency'],
    standards: ['IEEE 802.3bt', 'ISO/IEC 11801', 'TIA-568'],
    priceMinor: [190, 350_000],
    attributes: [
      { key: 'ports', values: [4, 8, 16, 24, 48] },
      { key: 'length_m', values: [0.5, 1, 2, 3, 5, 10, 20] },
      { key: 'speed', values: ['1 Gbit/s', '2.5 Gbit/s', '10 Gbit/s', '25 Gbit/s'] },
    ],
  },
  {
    category: 'Hydraulics & Pneumatics',
    adjectives: ['High-Pressure', 'Compact', 'Double-Acting', 'Leak-Proof', 'Normally-Closed', 'Heavy-Duty'],
    materials: ['Brass', 'Stainless Steel', 'Nitrile Rubber', 'Anodised Aluminium', 'Polyurethane', 'Viton'],
    nouns: [
      'Hydraulic Hose',
      'Pneumatic Cylinder',
      'Solenoid Valve',
      'Quick Coupler',
      'Pressure Gauge',
      'Ball Valve',
    ],
    uses: ['compressed-air lines', 'mobile hydraulics', 'automation cells', 'process plants'],
    settings: ['plants', 'machine shops', 'agricultural machinery'],
    benefits: ['a tight seal', 'fast response', 'resistance to high pressure'],
    standards: ['ISO 15552', 'EN 853', 'ISO 1179'],
    priceMinor: [120, 95_000],
    attributes: [
      { key: 'max_pressure_bar', values: [10, 16, 40, 250, 350] },
      { key: 'port_size', values: ['G1/8', 'G1/4', 'G3/8', 'G1/2', 'G3/4'] },
      { key: 'bore_mm', values: [12, 16, 25, 32, 50, 63] },
    ],
  },
];

export const BRANDS: readonly string[] = [
  'Nordwerk',
  'Kestrel',
  'Alpenform',
  'Brightline',
  'Ferrox',
  'Halvard',
  'Corvan',
  'Tessaro',
  'Vantage Pro',
  'Lindqvist',
  'Orbis',
  'Quarry & Co',
  'Meridian',
  'Sablon',
  'Westmark',
  'Zephyr Tech',
];

/** Letter prefixes of model codes ("NX-4821B"). */
export const MODEL_PREFIXES: readonly string[] =
  'AX BK CR DX EV FT GL HX KT LM MX NV PR QS RT SX TV VX WZ ZR'.split(' ');

export const WAREHOUSES: readonly string[] = [
  'Rotterdam',
  'Hamburg',
  'Lyon',
  'Milan',
  'Poznań',
  'Leeds',
  'Valencia',
];

export const BUYERS: readonly string[] = [
  'facility managers',
  'procurement teams',
  'maintenance contractors',
  'OEMs',
  'public institutions',
  'resellers',
];

export const CONDITIONS: readonly string[] = [
  'continuous use',
  'heavy loads',
  'temperature swings',
  'frequent cleaning',
  'outdoor exposure',
];

export const ORIGINS: readonly string[] = 'DE NL FR IT PL CZ GB US SE ES'.split(' ');
