"""Fictional names, places, handles and invites for the synthetic corpus.

What posts *say* is written by the grammar families (:mod:`counterspell.synth.families`); this
module holds only the fictional facts they talk about (names, towns, workplaces, schools) and the
way invites are written on these boards, often obfuscated.
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

GENERAL_OPS = [
    "Wizard thread #{n} - post reqs, be patient",
    "/r/ edits general #{n}",
    "Magic thread #{n}",
    "Request thread #{n}: one req per post",
    "New wizard thread {n}, last one hit the limit",
]

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


def handle_for(rng: random.Random, name: str) -> str:
    style = rng.randrange(4)
    bit = rng.choice(HANDLE_BITS)
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
    style = rng.choice(styles)
    text = style.format(code=code, handle=code, tg=code.upper()[:9], sess=code.encode().hex()[:60])
    return text, style
