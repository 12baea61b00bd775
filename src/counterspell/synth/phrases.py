"""Phrase banks for the synthetic corpus: fictional, non-graphic, deliberately varied.

Every text is composed from several independent slots (opener, ask, target description, detail,
closer) and then roughened (typos, case, leetspeak, emoji, greentext, other languages), so a
classifier cannot learn a handful of fixed strings. Each composed text reports a ``template``
key (role and skeleton), so evaluations can hold out whole skeletons.

Written independently of the classification rules (``counterspell.stages``): nothing here is
copied from a rule list, and the rules must not be copied from here.
"""

from __future__ import annotations

import random

# --- people (fictional) -----------------------------------------------------------------------
FIRST_NAMES = """Mia Ava Lena Zoe Emma Chloe Nora Isla Ruby Ivy Leah Maya Sara Nina Elena Clara
Julia Alice Hana Yuki Priya Aisha Sofia Lucia Marta Ines Freya Greta Anya Dasha Lea Jana Tessa
Kira Rosa Vera Elif Amara Noor Zara Lily Grace Holly Jade Amber Megan Kayla Brooke Paige Sienna""".split()
HANDLE_BITS = (
    "xo art daily official real fit life cam pics blog studio lab world zone vibes".split()
)
STREAMER_NAMES = "LunaPlays PixelPeach VelvetVox NovaStreams MintyMaple AstraGG CocoCast".split()
HANDLE_PLATFORMS = [
    ("instagram", ["ig", "insta", "IG", "instagram", "her insta is", "insta:"]),
    ("tiktok", ["tiktok", "tt", "her tiktok is", "TT:"]),
    ("snapchat", ["snap", "sc", "snapchat"]),
    ("twitter", ["twitter", "x", "her twitter"]),
]
TOWNS = "Maplewood Riverton Oakridge Fairview Lakeside Brookfield Hillcrest Westbury".split()
EMPLOYERS = [
    "Example Dental",
    "the Example Bank branch",
    "Example Logistics",
    "a cafe on Main St",
    "Example Realty",
    "the Example gym",
    "Example Pharmacy",
    "Example Hotel front desk",
]
SCHOOLS_ADULT = [
    "Example State",
    "Riverton Community College",
    "Example University",
    "the nursing program",
]
SCHOOLS_MINOR = [
    "Northfield High",
    "Westbury Middle",
    "Lakeside High School",
    "Oakridge Junior High",
]

RELATIONSHIPS = {
    "coworker": [
        "my coworker",
        "a girl from work",
        "coworker of mine",
        "this chick at my office",
        "my manager",
        "girl from my shift",
        "colleague",
        "the new hire at work",
        "my boss's assistant",
    ],
    "classmate": [
        "my classmate",
        "girl from my class",
        "a girl in my lecture",
        "lab partner",
        "girl from my uni",
        "classmate of mine",
        "girl in my study group",
    ],
    "ex": [
        "my ex",
        "my ex gf",
        "ex girlfriend",
        "this girl I used to date",
        "my ex wife",
        "the ex",
    ],
    "family": ["my cousin", "my stepsister", "my sister in law", "cousin of mine"],
    "acquaintance": [
        "a friend of mine",
        "my buddy's gf",
        "girl from my gym",
        "my neighbor",
        "a friend's sister",
        "girl from church",
        "my roommate's friend",
        "a girl I know",
    ],
    "public_figure": [
        "this streamer",
        "a twitch girl",
        "this influencer",
        "a local news anchor",
        "this youtuber",
        "a weather girl",
        "an e-girl streamer",
    ],
    "stranger": [
        "random girl from insta",
        "some girl I found",
        "this girl from tiktok",
        "girl I saw on the train",
        "a random from fb",
    ],
}

# --- requests ------------------------------------------------------------------------------
REQ_OPENERS = [
    "",
    "",
    "req",
    "Request:",
    "REQ -",
    "requesting",
    "any wizards?",
    "wizards pls",
    "anyone up for one?",
    "long shot but",
    "first time here,",
    "bump for my req,",
    "can someone",
    "paying wizard needed",
    ">wizard thread",
    "hey guys",
]
REQ_ASKS = [
    "nude her",
    "make her lewd",
    "undress her",
    "remove the clothes",
    "do your magic on her",
    "strip her",
    "take it all off",
    "make her naked",
    "nudify",
    "lewd her up",
    "spicy edit of her",
    "make her show more",
    "bikini to nothing",
    "work your magic",
    "give her the treatment",
    "clothes off pls",
    "do a lewd edit",
    "turn this into a lewd",
    "full nude if possible",
    "something spicy",
    "see what's underneath",
    "the usual edit pls",
]
REQ_ASKS_FOREIGN = [
    ("es", "alguien que la desnude porfa"),
    ("es", "hazla lewd porfa"),
    ("pt", "alguém deixa ela pelada?"),
    ("pt", "faz ela lewd mano"),
    ("de", "kann jemand sie ausziehen?"),
    ("de", "bitte lewd machen"),
    ("fr", "quelqu'un peut la déshabiller ?"),
    ("it", "qualcuno la spoglia?"),
]
REQ_TAILS = [
    "",
    "",
    "thanks in advance",
    "ty",
    "pls",
    "will be grateful",
    "no rush",
    "sauce in the pic",
    "have more pics",
    "more in the album",
    "best pic I have",
    "anyone?",
    "🙏",
    "ty wizards",
    "happy to return the favor",
    "been waiting forever",
]
NON_CONSENT = [
    "she doesn't know",
    "she has no idea",
    "she'd never post this",
    "she'd kill me lol",
    "she won't find out",
    "keep it between us",
    "she'd be mortified",
    "never posted anything like this",
]
MINOR_CUES = [
    "she's 16",
    "she's in 10th grade",
    "just started high school",
    "she's a junior in high school",
    "she's 15 btw",
    "she's in year 11",
    "sophomore",
    "she's still in school, 17",
]

SRC_SOLICIT = [
    "more pics?",
    "got more angles?",
    "need a better source",
    "any other pics of her?",
    "pic is too low res, got more?",
    "need full body",
    "post the rest of the set",
    "got her socials?",
    "drop more sources and I'll try",
    "face is blurry, another one?",
    "how many pics you got",
    "one with less hair covering her",
]

# --- fulfilments, praise, distribution, tech, payment, counter-speech, other ---------------
FULFIL = [
    "",
    "",
    "",
    "here",
    "done",
    "here you go",
    "delivered",
    "quick one",
    "did my best",
    "not perfect but",
    "one more for the road",
    "enjoy",
    "voila",
    "took a while",
    "as requested",
    "magic done",
    "there ya go anon",
    "first attempt",
    "v2, fixed the hands",
    "your order sir",
]
PRAISE = [
    "holy shit wizard",
    "based wizard",
    "10/10",
    "you're a legend",
    "thank you kind sir",
    "god tier work",
    "amazing job",
    "this is insane",
    "perfect",
    "wizard delivers again",
    "king",
    "ty ty ty",
    "actual magic",
    "looks so real",
    "bless you",
    "saved",
    "🔥🔥🔥",
    "👑",
    "goated",
    "best one in the thread",
    "you did her justice",
    "fucking magician",
]
DIST = [
    "full set on my tg",
    "more in the telegram",
    "join the server for the rest",
    "uncensored on discord",
    "dm me on kik for more",
    "everything is on the channel",
    "archive is on mega",
    "all the old ones are here",
    "moved to tg, board is too slow",
    "new server, old one got nuked",
]
TECH = [
    "what model do you use?",
    "use inpainting with denoise around 0.6",
    "roop works better for faces",
    "try a lora trained on her pics",
    "which checkpoint is that?",
    "faceswap then upscale",
    "deepfacelab takes forever but worth it",
    "flux handles hands better",
    "wan for the video ones",
    "comfy workflow?",
    "controlnet openpose fixes the pose",
    "what app is that, undress ai?",
    "use a higher res source or it blurs",
    "sdxl or 1.5?",
]
PAYMENT = [
    "will pay $20",
    "paying 15 in btc",
    "cashapp ready",
    "paid reqs only",
    "tip jar in bio",
    "$10 for a good one",
    "can send crypto",
    "paypal f&f",
    "commissions open, dm prices",
    "venmo ok?",
    "offering $50 for her",
]
COUNTER = [
    "this is illegal now",
    "these are real women, stop",
    "reported",
    "you realize this ruins lives",
    "take it down act is a thing now",
    "imagine if this was your sister",
    "reported to the fbi",
    "this board is a crime scene",
    "she didn't consent to any of this",
    "mods??",
    "nobody asked for this",
]
OTHER = [
    "bump",
    "bumping",
    "slow thread today",
    "lol",
    "where did the other thread go",
    "kek",
    "anyone watch the game",
    "first",
    "this board is dead",
    "janny where",
    "good morning",
    "who's still up",
    "new thread when",
    "ok",
    "lmao",
    "same",
    "anyone else's captcha broken?",
    "I need coffee",
    "what happened to the old wizard",
    "rip",
]
SFW_EDITS = [
    "can someone remove the guy in the background?",
    "colorize my grandpa's photo please",
    "make this look like an oil painting",
    "restore this old photo of my parents",
    "photoshop my cat into a superhero",
    "remove the watermark",
    "fix the lighting on my selfie",
    "turn my dog into an anime character",
    "swap the sky for a sunset",
    "upscale this wedding pic",
]
GENERAL_OPS = [
    "Wizard thread #{n} - post reqs, be patient",
    "/r/ edits general #{n}",
    "Magic thread #{n}",
    "Request thread #{n}: one req per post",
    "New wizard thread {n}, last one hit the limit",
]

EMOJI = ["🙏", "🔥", "😍", "👀", "🥵", "💯", "😂", "🪄", "✨", "👑", "😈"]
INVITE_STYLES = [
    "t.me/+{code}",
    "t[.]me/+{code}",
    "t dot me slash +{code}",
    "https://t.me/{code}",
    "discord.gg/{code}",
    "disc0rd gg/{code}",
    "discord.gg / {code}",
    "discord(.)gg/{code}",
    "kik: {handle}",
    "kik me @{handle}",
    "teleguard id {tg}",
    "session id 05{sess}",
]
LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})


# Which quarter of every phrase bank the generator may use: None (all), "train" (indices not
# divisible by 4 + 3), "test" (the held-out quarter). Evaluations train and test on disjoint phrasing.
_SPLIT: list[str | None] = [None]


def set_split(split: str | None) -> None:
    if split not in (None, "train", "test"):
        raise ValueError(f"split must be None, 'train' or 'test', not {split!r}")
    _SPLIT[0] = split


def pick_index(rng: random.Random, n: int) -> int:
    """An index into a bank of ``n`` phrases, honouring the train/test split."""
    split = _SPLIT[0]
    if split is None or n < 4:
        return rng.randrange(n)
    allowed = [i for i in range(n) if (i % 4 == 3) == (split == "test")]
    return allowed[rng.randrange(len(allowed))]


def _pick(rng: random.Random, bank: list[str]) -> str:
    return bank[pick_index(rng, len(bank))]


def roughen(rng: random.Random, text: str, level: float = 0.3) -> str:
    """Typos, case and emoji, so the same skeleton never repeats exactly."""
    if not text:
        return text
    r = rng.random()
    if r < level * 0.5:
        text = text.lower()
    elif r < level * 0.6:
        text = text.upper()
    if rng.random() < level * 0.4 and len(text) > 6:  # swap two adjacent letters
        i = rng.randrange(len(text) - 2)
        if text[i].isalpha() and text[i + 1].isalpha():
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if rng.random() < level * 0.3:  # drop a letter
        i = rng.randrange(len(text))
        if text[i].isalpha():
            text = text[:i] + text[i + 1 :]
    if rng.random() < level * 0.15:
        text = text.translate(LEET)
    if rng.random() < level * 0.5:
        text += " " + _pick(rng, EMOJI) * rng.randint(1, 3)
    return text


def handle_for(rng: random.Random, name: str) -> str:
    style = rng.randrange(4)
    bit = _pick(rng, HANDLE_BITS)
    if style == 0:
        return f"{name.lower()}.{bit}"
    if style == 1:
        return f"{name.lower()}_{rng.randint(1, 99)}"
    if style == 2:
        return f"its{name.lower()}{bit}"
    return f"{name.lower()}{chr(97 + rng.randrange(26))}{bit}"


def invite(rng: random.Random, platform: str, code: str) -> tuple[str, str]:
    """An invite written the way these boards write them, often obfuscated."""
    styles = {
        "telegram": [s for s in INVITE_STYLES if "t" in s[:3] and "me" in s],
        "discord": [s for s in INVITE_STYLES if "disc" in s],
        "kik": [s for s in INVITE_STYLES if "kik" in s],
        "teleguard": [s for s in INVITE_STYLES if "teleguard" in s],
        "session": [s for s in INVITE_STYLES if "session" in s],
    }[platform]
    style = _pick(rng, styles)
    text = style.format(code=code, handle=code, tg=code.upper()[:9], sess=code.encode().hex()[:60])
    return text, style
