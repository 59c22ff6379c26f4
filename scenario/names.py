"""Word lists the scenario draws names and texts from.

Every organisation, page, outlet and person built from these lists is fictional:
the party, IT cell, firm and media group names are invented, the person names are
common given names and surnames combined at random, and every web domain ends in
an ``-example`` label so it cannot point at a real site.
"""

from __future__ import annotations

# fmt: off

FIRST_NAMES: tuple[str, ...] = (
    "aarav", "aditi", "aditya", "akash", "amit", "ananya", "anil", "anjali", "ankit", "anusha",
    "arjun", "asha", "ashok", "ayesha", "bhavna", "chetan", "deepa", "deepak", "devika", "dinesh",
    "divya", "farhan", "gaurav", "geeta", "harish", "isha", "ishaan", "jaya", "karan", "kavya",
    "kiran", "lakshmi", "manish", "meera", "mohit", "nadia", "naveen", "neha", "nikhil", "nisha",
    "pooja", "pradeep", "pranav", "priya", "rahul", "rajesh", "rakesh", "ramesh", "ravi", "reena",
    "rohan", "sachin", "sagar", "sahil", "sana", "sandeep", "sanjay", "sara", "shreya", "simran",
    "sneha", "sonia", "sunil", "suresh", "swati", "tanvi", "tarun", "uday", "varun", "vijay",
    "vikas", "vinay", "yash", "zoya", "imran", "fatima", "salman", "rehana", "tariq", "nasreen",
    "joseph", "mary", "thomas", "anita", "george", "susan", "david", "grace", "peter", "rita",
    "harpreet", "gurpreet", "manpreet", "jaspreet", "arif", "rubina", "kamal", "shabnam", "rupa",
    "tapas", "sourav", "moumita", "arnab", "rituparna", "kunal", "payal", "nitin", "komal",
)

LAST_NAMES: tuple[str, ...] = (
    "sharma", "verma", "gupta", "singh", "kumar", "patel", "shah", "mehta", "joshi", "iyer",
    "nair", "menon", "reddy", "rao", "naidu", "pillai", "das", "ghosh", "bose", "banerjee",
    "chatterjee", "mukherjee", "sen", "dutta", "roy", "khan", "ahmed", "ali", "hussain",
    "siddiqui", "qureshi", "ansari", "sheikh", "mirza", "fernandes", "dsouza", "pereira",
    "thomas", "mathew", "george", "kaur", "gill", "sandhu", "dhillon", "grewal", "yadav",
    "pandey", "mishra", "tiwari", "dubey", "chauhan", "rathore", "thakur", "kapoor", "malhotra",
    "khanna", "arora", "bhatia", "saxena", "agarwal", "jain", "bansal", "goyal", "mittal",
    "desai", "kulkarni", "patil", "jadhav", "pawar", "shinde", "hegde", "shetty", "kamath",
    "bhat", "naik", "pathak", "tripathi", "chaudhary", "bajwa", "rahman", "islam", "hasan",
    "karim", "chowdhury", "sarkar", "paul",
)

CITIES: tuple[str, ...] = (
    "mumbai", "delhi", "bengaluru", "hyderabad", "chennai", "kolkata", "pune", "ahmedabad",
    "jaipur", "lucknow", "kanpur", "nagpur", "indore", "bhopal", "patna", "vadodara", "surat",
    "ludhiana", "agra", "nashik", "kochi", "coimbatore", "madurai", "mysuru", "guwahati",
    "bhubaneswar", "ranchi", "raipur", "dehradun", "chandigarh", "amritsar", "varanasi",
    "prayagraj", "meerut", "jodhpur", "udaipur", "kota", "gwalior", "jabalpur", "vijayawada",
    "visakhapatnam", "thiruvananthapuram", "mangaluru", "hubballi", "belagavi", "aurangabad",
    "solapur", "rajkot", "jamnagar", "siliguri", "dhanbad", "jammu", "shimla", "goa",
    "puducherry",
)

DIASPORA_PLACES: tuple[tuple[str, str], ...] = (
    ("london", "GB"), ("leicester", "GB"), ("birmingham", "GB"), ("new jersey", "US"),
    ("houston", "US"), ("bay area", "US"), ("dubai", "AE"), ("abu dhabi", "AE"),
    ("toronto", "CA"), ("sydney", "AU"), ("singapore", "SG"),
)

TOPICS: tuple[str, ...] = (
    "roads", "water supply", "power cuts", "schools", "hospitals", "jobs", "fuel prices",
    "farm loans", "metro line", "train timings", "rent", "startups", "cricket", "monsoon",
    "traffic", "street food", "exams", "pollution", "flood relief", "vaccination", "pensions",
    "local markets", "the new bridge", "garbage collection", "bus fares", "housing",
)

PLACES: tuple[str, ...] = (
    "the station", "the old market", "the bus stand", "the college gate", "the main square",
    "the highway", "the lake", "the temple road", "the ring road", "the mall", "the park",
)

FOODS: tuple[str, ...] = (
    "biryani", "dosa", "chai", "samosa", "momos", "pav bhaji", "vada pav", "kebabs", "thali",
    "jalebi", "idli", "paratha", "chaat", "fish curry", "dhokla", "kulfi",
)

FESTIVALS: tuple[str, ...] = (
    "diwali", "holi", "eid", "christmas", "pongal", "onam", "navratri", "durga puja", "baisakhi",
    "ganesh chaturthi", "new year", "lohri", "bihu",
)

ADJECTIVES: tuple[str, ...] = (
    "amazing", "terrible", "crazy", "lovely", "awful", "great", "unbelievable", "slow", "busy",
    "peaceful", "hot", "humid", "cold", "beautiful", "chaotic", "quiet", "wonderful", "tiring",
)

RELATIVES: tuple[str, ...] = (
    "cousin", "sister", "brother", "daughter", "son", "niece", "nephew", "friend", "neighbour",
)

FEELINGS: tuple[str, ...] = (
    "so happy", "really tired", "proud", "annoyed", "grateful", "excited", "worried", "relieved",
    "bored", "thrilled", "disappointed", "hopeful",
)

# Organic post texts: {slots} are filled from the lists above.
ORGANIC_TEMPLATES: tuple[str, ...] = (
    "Traffic near {place} in {city} is {adj} today",
    "Anyone know a good place for {food} in {city}?", "Happy {festival} to everyone from {city}!",
    "Feeling {feeling} after the weekend in {city}", "Why are {topic} in {city} still this bad?",
    "Finally some good news about {topic} in {city}", "The weather in {city} is {adj} right now",
    "Best {food} I have had in years, {city} never disappoints",
    "Can someone explain what is happening with {topic}?", "{adj} match today, what a finish!",
    "Missing home food, especially {food}", "Stuck at {place} for an hour, {adj}",
    "Proud of my {relative} who cleared the exams today", "Morning walk by {place} was {adj}",
    "Our colony finally got a fix for {topic}", "Who else is {feeling} about {topic} this week?",
    "Sunday plans: {food} and a long nap",
    "Volunteers needed for {topic} drive near {place} in {city}",
    "Throwback to {festival} last year in {city}", "Long day at work, {feeling}",
)

LINK_COMMENTS: tuple[str, ...] = (
    "", "", "", "Must read", "Interesting", "This is worth a look", "Sharing this", "Wow",
    "Good read", "Thoughts?", "Important", "Everyone should see this", "Not surprised",
    "Read this", "Finally someone said it", "Hmm", "Useful",
)

RESHARE_COMMENTS: tuple[str, ...] = (
    "", "", "", "", "So true", "Agree", "Exactly", "Sharing", "This!", "Well said", "Lol",
    "Great", "Same here", "100%",
)

HEADLINE_TEMPLATES: tuple[str, ...] = (
    "{city} residents protest over {topic}", "New plan for {topic} announced in {city}",
    "What the budget means for {topic}", "{city} gets relief on {topic} after months",
    "Experts warn about {topic} ahead of summer", "Ten things to know about {topic} in {city}",
    "Why {topic} matters more than ever", "{city} council approves funds for {topic}",
    "Inside the fight over {topic} in {city}", "How {city} is tackling {topic}",
)

URL_SECTIONS: tuple[str, ...] = (
    "news", "india", "city", "politics", "sport", "business", "opinion", "tech", "life",
    "entertainment", "world", "local",
)

DOMAIN_WORDS: tuple[str, ...] = (
    "daily", "news", "times", "post", "herald", "today", "express", "chronicle", "voice",
    "mirror", "observer", "bulletin", "gazette", "reporter", "wire", "pulse", "buzz", "digest",
    "morning", "evening", "metro", "city", "nation", "public", "people", "star", "sun", "tribune",
    "update", "insider", "scoop", "journal", "ledger", "courier", "beacon", "signal", "record",
)

DOMAIN_TLDS: tuple[str, ...] = (
    "in", "com", "net", "org", "news", "co.in", "info",
)

TAG_WORDS: tuple[str, ...] = (
    "cricket", "monsoon", "foodie", "travel", "traffic", "mondaymotivation", "throwback",
    "weekend", "news", "breaking", "jobs", "exams", "festival", "family", "friends", "music",
    "bollywood", "movies", "fitness", "yoga", "startup", "tech", "photography", "nature",
    "streetfood", "love", "life", "happy", "india", "election2019", "budget2019", "rain",
    "sunday", "goodmorning", "instagood", "memes", "funny", "health", "education", "farmers",
)

# (name template, category) of ordinary pages.
ORGANIC_PAGE_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("{City} Foodies", "Community"), ("{City} Traffic Updates", "Community"),
    ("{City} Job Alerts", "Community"), ("{City} Cricket Lovers", "Sports Team"),
    ("{First} {Last} Photography", "Personal Blog"), ("{First}'s Kitchen", "Restaurant"),
    ("{City} Rentals", "Local Business"), ("{City} Book Club", "Community"),
    ("{City} Runners", "Sports Team"), ("{Adj} {Food} Corner", "Restaurant"),
    ("{First} {Last} Music", "Musician/Band"), ("{City} Pet Lovers", "Community"),
    ("Daily {Topic} Tips", "Education"), ("{City} Startup Network", "Community"),
    ("{City} Weekend Events", "Entertainment"), ("{First} Tutorials", "Education"),
    ("{City} Heritage Walks", "Local Business"), ("{Food} House {City}", "Restaurant"),
    ("{City} Memes", "Entertainment"), ("{Last} Family Dhaba", "Restaurant"),
    ("{First} {Last} Fashion", "Shopping & Retail"), ("{City} Yoga Studio", "Health/Beauty"),
    ("{City} Local News", "News & Media Website"),
    ("Help {City} Animals", "Nonprofit Organization"),
)

# Pages run by a concealed network: they look like independent community or news pages.
NETWORK_PAGE_TEMPLATES: tuple[str, ...] = (
    "Voice of {City}", "{City} Development Watch", "Proud Citizens of {City}",
    "Real Truth of {City}", "Nation First {City}", "Youth for Progress {City}",
    "{City} Needs Change", "The {Adj} Nation", "Know the Facts {City}", "{City} News Now",
    "Mothers of {City}", "Farmers Voice {City}", "Daily Nation Update", "{City} Rising",
    "India Against Lies", "Real News Network {City}",
)

DIASPORA_PAGE_TEMPLATES: tuple[str, ...] = (
    "Indians in {Place} for Progress", "{Place} Desi Voice", "Overseas Friends of India {Place}",
    "NRIs of {Place} United",
)

NETWORK_CATEGORIES: tuple[str, ...] = (
    "Community", "News & Media Website", "Political Organization", "Cause", "Media/News Company",
)

# Campaign messages of the concealed networks; {party} is a fictional party's short name.
CAMPAIGN_TEMPLATES: tuple[str, ...] = (
    "{leader} delivered on {topic} in {city}. The opposition only made promises",
    "Shocking truth about the opposition and {topic} that media will not show you",
    "{city} has seen record work on {topic} in five years",
    "They looted {topic} funds for decades. Now they want your vote again",
    "Every citizen of {city} must know this about {topic}",
    "Fake news alert: the opposition is lying about {topic}",
    "{leader} is the only leader who cares about {topic}",
    "Look at the crowd in {city} today. The wave is real",
    "Real story of {topic} in {city}, share before it gets deleted",
    "The nation will not forgive those who insulted our forces",
)

CAMPAIGN_PREFIXES: tuple[str, ...] = (
    "Must read!", "Share widely:", "Truth:", "Wake up!", "Breaking:", "Proud moment:",
)

CAMPAIGN_ENDINGS: tuple[str, ...] = (
    "", "!", "!!", ".", " 🙏", " 🇮🇳", " - share now",
)

SYNONYMS: dict[str, tuple[str, ...]] = {
    "shocking": ("unbelievable", "shameful"),
    "truth": ("reality", "facts"),
    "opposition": ("other side", "opposition party"),
    "record": ("historic", "massive"),
    "must": ("should", "needs to"),
    "lying": ("spreading lies", "misleading you"),
    "only": ("one and only", "sole"),
    "real": ("true", "actual"),
    "crowd": ("huge crowd", "people"),
    "share": ("forward", "spread"),
}

LEADERS: tuple[str, ...] = (
    "Shri Devendra Rathvik", "Smt Kalyani Orvekar", "Shri Marutham Velaris", "Shri Tejpal Suvrat",
)

# Syllables for fictional organisation names at larger scales.
ORG_SYLLABLES: tuple[str, ...] = (
    "zen", "ith", "vel", "aris", "quill", "byte", "nim", "bus", "ochre", "line", "kest", "rel",
    "sor", "vani", "tara", "mund", "pal", "orva", "lum", "ira", "dhan", "vik", "saro", "jeet",
)

ORG_SUFFIXES: dict[str, tuple[str, ...]] = {
    "party": ("People's Party", "Democratic Front", "Janata Alliance", "Progress Party"),
    "it_cell": ("Digital Cell", "Social Media Cell", "IT Wing", "Online Volunteers Cell"),
    "it_firm": ("Technologies", "Digital Solutions", "Infotech", "Web Services"),
    "agency": ("Outreach Agency", "PR Consultants", "Communications", "Reputation Partners"),
    "media": ("Media Group", "News Network", "Broadcasting", "Publications"),
    "ngo": ("Foundation", "Trust", "Welfare Society", "Relief Mission"),
    "government": ("Municipal Corporation", "Department of Health", "Police", "Tourism Board"),
}

CELEBRITY_FIRST: tuple[str, ...] = (
    "Veer", "Ishita", "Kabir", "Meher", "Reyansh", "Tara",
)

CELEBRITY_LAST: tuple[str, ...] = (
    "Solvankar", "Varadkesh", "Inamvali", "Devgirikar", "Rawalta", "Oberayan",
)

FAN_TEMPLATES: tuple[str, ...] = (
    "", "", "", "Love you {celeb}!", "Best actor ever", "Can't wait!", "Our hero", "Legend",
    "Blockbuster loading", "So proud of you", "Goosebumps", "Fan forever",
)

CELEBRITY_TEMPLATES: tuple[str, ...] = (
    "Shooting day {n} of my next film. Thank you for the love!",
    "New song out now, tell me what you think", "Thank you {city} for an amazing show tonight",
    "Behind the scenes from the set today", "Trailer drops this Friday. Are you ready?",
    "Happy {festival} from my family to yours", "Meet and greet in {city} next week",
)
# fmt: on
