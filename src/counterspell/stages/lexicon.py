"""The maintained vocabularies behind targets, risk flags and tools.

Edit here, not in the rules: each list is matched on normalised text (lower case, de-leeted,
de-spaced), as whole words. Keep entries short and unambiguous; an entry that fires on ordinary
talk raises the false-positive rate measured on the real fixtures (``tests/stages``).
"""

from __future__ import annotations

import re

RELATIONSHIPS: dict[str, tuple[str, ...]] = {
    "coworker": (
        "coworker", "co-worker", "co worker", "colleague", "workmate", "from work", "at work", "at my work",
        "my work", "my boss", "my manager", "my supervisor", "at my office", "my office", "my shift", "at my job",
        "from my job", "the new hire", "receptionist at", "intern at",
    ),
    "classmate": (
        "classmate", "class mate", "from class", "my class", "in my class", "my lecture", "lab partner",
        "study group", "from uni", "my uni", "from college", "my college", "from school", "my school",
        "on campus", "my seminar",
    ),
    "ex": ("my ex", "the ex", "ex gf", "exgf", "ex-gf", "ex girlfriend", "ex-girlfriend", "ex wife", "ex-wife", "used to date", "my former", "dumped me"),
    "family": ("my cousin", "my sister", "stepsister", "step sister", "step-sister", "sister in law", "sister-in-law", "stepmom", "step mom", "my aunt", "my niece", "stepdaughter", "my sis"),
    "acquaintance": (
        "a friend", "my friend", "friend of mine", "friend's", "friends sister", "buddy's", "my buddys", "neighbor", "neighbour",
        "from my gym", "at my gym", "from church", "roommate", "room mate", "a girl i know", "girl i know",
        "my wife's friend", "my gf's friend", "my brother's gf", "my bro's gf",
    ),
    "public_figure": (
        "streamer", "twitch", "influencer", "youtuber", "tiktoker", "e-girl", "egirl", "celebrity", "celeb", "actress",
        "singer", "news anchor", "anchor", "weather girl", "cosplayer", "instagram model", "onlyfans", "vtuber", "idol",
    ),
    "stranger": (
        "random girl", "a random", "some girl", "found her", "i found", "girl i saw", "saw her", "stranger", "on the train",
        "on the bus", "from tinder", "from bumble", "from hinge", "no idea who she is",
    ),
}  # fmt: skip

TOOLS: dict[str, tuple[str, ...]] = {
    "stable_diffusion": ("stable diffusion", "stablediffusion", "sdxl", "sd 1.5", "sd1.5", "sd15", "pony diffusion", "automatic1111", "a1111", "forge ui", "checkpoint"),
    "inpainting": ("inpaint", "inpainting", "in-paint", "generative fill", "denoise"),
    "lora": ("lora", "loras"),
    "faceswap": ("faceswap", "face swap", "roop", "reactor", "facefusion", "face fusion", "inswapper", "swapface", "ip-adapter", "ipadapter"),
    "deepfacelab": ("deepfacelab", "deep face lab", "dfl"),
    "nudify_app": ("nudify", "nudify app", "undress app", "undress ai", "undressai", "clothoff", "clothes off app", "deepnude", "nudifier", "remove clothes app"),
    "wan": ("wan 2.1", "wan2.1", "wan 2.2", "wan2.2", "wan video", "wan for"),
    "flux": ("flux", "flux.1", "flux dev"),
    "comfyui": ("comfyui", "comfy ui", "comfy workflow", "comfy"),
    "controlnet": ("controlnet", "control net", "openpose"),
    "photoshop": ("photoshop", "ps generative"),
    "midjourney": ("midjourney",),
    "upscaler": ("upscale", "upscaler", "esrgan", "topaz"),
}  # fmt: skip

# Tool names that are also everyday words: a comfy chair, Checkpoint Charlie, a nuclear reactor,
# LoRa radios and women named Lora, flux in a physics thread, the DFL (Deutsche Fußball Liga), an
# upscale restaurant, denoising audio. They name the tool only beside other talk of making images
# (TOOL_CONTEXT, or a tool name that is not ambiguous, or an ask to edit): alone they made
# 'comfyui' and, for the tools in the deepfake domain, a "domain ask" out of ordinary talk.
TOOLS_AMBIGUOUS = frozenset(
    {"comfy", "checkpoint", "reactor", "denoise", "lora", "loras", "flux", "dfl", "upscale", "topaz",
     "wan for", "face fusion"}
)  # fmt: skip
TOOL_CONTEXT = re.compile(
    r"\b(?:ai|model|models|workflows?|prompt\w*|gens?|generat\w*|img2img|txt2img|i2i|t2i|nodes?|"
    r"sampler|cfg|vae|safetensors|civitai|huggingface|inpaint\w*|faceswap\w*|swap\w*|nsfw|lewd\w*|"
    r"nudes?|nudif\w*|naked|undress\w*|deepfakes?|fakes?|train(?:ed|ing)?|render\w*)\b"
)

# Minor risk favours recall (a missed minor is the worst error): strong cues flag on their own,
# weak ones when the post also talks about a woman or asks for an edit.
MINOR_STRONG = (
    "jailbait",
    "jail bait",
    "underage",
    "under age",
    "under 18",
    "loli",
    "preteen",
    "pre-teen",
    "elementary school",
    "still in high school",
    "still in highschool",
    "in middle school",
    "not 18",
    "not 18 yet",
    "not yet 18",
    "isn't 18",
    "isnt 18",
    "not legal",
    "not legal yet",
)
MINOR_GRADE = re.compile(
    r"\b(?:[5-9]th|1[0-2]th|11th|12th|10th|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\s*grade"
    r"|\bgrade\s*(?:[5-9]|1[0-2])\b|\byear\s*(?:[7-9]|1[0-3])\b"
    r"|\b(?:freshman|sophomore|junior|senior)\s+(?:in|at)\s+(?:high\s?school|hs)\b|\bin\s+hs\b"
    r"|\b(?:freshman|sophomore|junior|senior|student)\s+(?:in|at)\s+(?:[a-z]+\s+){1,3}(?:high|middle|junior\s+high)\b"
    r"|\b(?:1[0-7]|[5-9])\s*(?:yo|y/o|y\.o\.|yrs?\s*old|years?\s*old)\b"
    r"|\b(?:she'?s|she\s+is|shes|turned|turning|only|just|barely|aged?)\s+(?:1[0-7]|[5-9])\b(?!\s*(?:min|hour|day|week|month|am|pm|k\b|%|\$|/))"
    r"|\b(?:1[0-7]|[5-9])\s*f\b",
)
MINOR_WEAK = (
    "high school", "highschool", "middle school", "junior high", "teen", "teens", "teenager", "schoolgirl", "school girl",
    "young", "barely legal", "just turned 18", "still in school", "minor", "kid", "child", "little sister", "lil sis",
    "sophomore", "sophmore", "freshman", "freshmen", "in hs", "hs girl", "school uniform",
)  # fmt: skip

NON_CONSENT = (
    "she doesn't know", "she doesnt know", "she does not know", "she has no idea", "without her knowing",
    "she won't find out", "she wont find out", "she'd never", "she would never", "she'd kill me", "she would kill me",
    "keep it between us", "don't tell her", "dont tell her", "leaked", "leak her", "hidden cam", "hidden camera",
    "creepshot", "creep shot", "candid", "stole", "stolen", "from her private", "private account", "she'd be mortified",
    "never posted anything like this", "she never consented", "without consent", "non consent", "nonconsent",
    "secretly", "took this of her", "took it without",
)  # fmt: skip

# Payment methods and offers; a bare amount ("$20") counts only next to a request (see cues).
PAYMENT_AMOUNT = re.compile(r"\$\s?\d{1,5}|\d{1,5}\s?(?:\$|usd|dollars|bucks|eur|€)")
# Cheap substring tests that must pass before the (slower) regexes run; matched on normalised text.
PAYMENT_HINTS = (
    "$",
    "btc",
    "bitcoin",
    "crypto",
    "eth",
    "xmr",
    "monero",
    "paypal",
    "cash",
    "venmo",
    "zelle",
    "gift",
    "pay",
    "paid",
    "commission",
    "tip",
    "f&f",
    "escrow",
    "price",
    "offer",
)
DOXXING_HINTS = (
    "work",
    "goes",
    "going",
    "went",
    "she",
    "live",
    "her ",
    "st",
    "ave",
    "rd",
    "road",
    "lane",
    "dr",
    "blvd",
)
GRADE_HINTS = (
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "grade",
    "year",
    "fresh",
    "soph",
    "junior",
    "senior",
    "hs",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
)
PAYMENT = re.compile(
    r"\$\s?\d{1,5}\s+(?:for|per|each)\b|\b(?:offering|offer)\s+\$?\d|\bbtc\b|\bbitcoin\b|\bcrypto\b|\beth\b|\bxmr\b|\bmonero\b"
    r"|\bpaypal\b|\bcash\s?app\b|\bvenmo\b|\bzelle\b|\bgift\s?card|\bwill\s+pay\b|\bpaying\b|\bpaid\s+(?:reqs?|requests?|only)\b"
    r"|\bcommissions?\s+(?:open|closed)\b|\btip\s?jar\b|\bf&f\b|\bescrow\b|\bdm\s+(?:me\s+)?(?:for\s+)?prices?\b",
)

# Sextortion: a threat to show someone's pictures to the people around them, tied to a demand
# (money, more pictures, doing as told) or a condition ("unless", "or else"). The FBI's public
# service announcement I-060523-PSA (5 June 2023, https://www.ic3.gov/PSA/2023/PSA230605) warns
# of fabricated explicit images used this way; the flag needs both halves, so talk *about*
# sextortion, or sharing pictures with family, raises nothing.
SEXTORTION_HINTS = ("send", "post", "share", "leak", "show", "spread", "forward", "expose", "upload",
                    "release", "see", "get")  # fmt: skip
_AUDIENCE = (
    r"(?:family|friends|parents|mom|mum|dad|mother|father|boss|manager|school|work|job|coworkers|"
    r"colleagues|followers|contacts|everyone|everybody|husband|boyfriend|bf|wife|girlfriend|gf|"
    r"classmates|teachers?|employer|church|class|whole\s+town|fiance|partner|sister|brother|"
    r"grandparents|kids|group\s?chat)"
)
_PICS = r"(?:pics?|pictures?|photos?|nudes?|images?|videos?|vids?|them|these|it|this|everything|edits?|fakes?)"
SEXTORTION_THREAT = re.compile(
    r"\b(?:i'?ll|i\s+will|im\s+gonna|i'?m\s+gonna|i\s+am\s+going\s+to|gonna|we'?ll|we\s+will)\s+"
    r"(?:\w+\s+){0,2}?(?:send|post|share|leak|show|spread|forward|expose|upload|release|dm|email|text)"
    rf"\b[^.!?\n]{{0,50}}?\b(?:your|ur|all\s+your|to\s+your)\s+(?:\w+\s+)?{_AUDIENCE}\b"
    rf"|\b(?:your|ur)\s+(?:\w+\s+)?{_AUDIENCE}\s+(?:will|gonna|is\s+going\s+to|are\s+going\s+to|gets?\s+to)\s+"
    rf"(?:\w+\s+){{0,2}}?(?:see|get|receive|find\s+out|know)\b[^.!?\n]{{0,30}}?\b{_PICS}\b"
)
SEXTORTION_CONDITION = re.compile(
    r"\b(?:unless|or\s+else|or\s+i'?ll|or\s+i\s+will|or\s+we'?ll|if\s+(?:you|u)\s+(?:don'?t|dont|do\s+not|refuse|block|ignore)"
    r"|otherwise|until\s+(?:you|u)|before\s+(?:you|u)|you\s+have\s+\d+\s+(?:hours?|hrs?|minutes?|mins?|days?)"
    r"|(?:\d+|one|two|24|48)\s+(?:hours?|hrs?)\s+to)\b"
)
SEXTORTION_DEMAND = re.compile(
    r"\b(?:pay|send\s+(?:me\s+)?(?:more|money|cash|\$|nudes?|pics?|pictures?|videos?)|wire|transfer|"
    r"gift\s?cards?|btc|bitcoin|crypto|cash\s?app|venmo|paypal|zelle)\b|\$\s?\d"
)

DOXXING = re.compile(
    r"\b(?:works?|working)\s+(?:at|for|in)\s+[a-z0-9]"
    r"|\b(?:goes|going|went)\s+to\s+[a-z0-9][\w .'-]{1,40}?\b(?:high|school|college|university|uni|academy|state)\b"
    r"|\b(?:she'?s|she\s+is)\s+at\s+[a-z0-9][\w .'-]{1,40}?\b(?:high|school|college|university|uni|academy|state|program)\b"
    r"|\blives?\s+(?:in|on|at|near|off|by)\s+[a-z0-9]"
    r"|\b(?:her|she'?s?)\s+(?:address|phone|number|cell|school|job|workplace|employer)\b"
    r"|\b\d{1,5}\s+[a-z]+\s+(?:st|street|ave|avenue|rd|road|blvd|lane|ln|drive|dr)\b"
    r"|(?:\+?\d{1,2}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b",
)

# A woman being talked about: pronouns and terms (the report states this method and its limits).
FEMALE_REF = re.compile(
    r"\b(?:she|her|hers|herself|girl|gf|girlfriend|wife|woman|chick|lady|mom|sister|cousin|aunt|niece|daughter|stepdaughter|mina|chica|chava|morra|mädchen|madl)\b"
)


_WORD = re.compile(r"[a-z0-9']+")


class PhraseIndex:
    """Whole-word phrase lookup by tokens: one dict probe per word instead of one regex
    alternative per phrase per position (Python's ``re`` does not build a trie)."""

    def __init__(self, groups: dict[str, tuple[str, ...]]) -> None:
        self._first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for label, phrases in groups.items():
            for phrase in phrases:
                words = tuple(_WORD.findall(phrase.casefold()))
                if words:
                    self._first.setdefault(words[0], []).append((words, label))
        for entries in self._first.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest first

    @staticmethod
    def words(text: str) -> list[str]:
        return _WORD.findall(text)

    def find(self, words: list[str]) -> list[tuple[int, str]]:
        """(position, label) of every phrase found, in order of position."""
        return [(i, label) for i, label, _ in self.spans(words)]

    def spans(self, words: list[str]) -> list[tuple[int, str, int]]:
        """(position, label, length in words) of every phrase found, in order of position."""
        out: list[tuple[int, str, int]] = []
        first = self._first
        for i, w in enumerate(words):
            entries = first.get(w)
            if entries:
                for phrase, label in entries:
                    if tuple(words[i : i + len(phrase)]) == phrase:
                        out.append((i, label, len(phrase)))
                        break
        return out

    def labels(self, words: list[str]) -> set[str]:
        return {label for _, label in self.find(words)}

    def matched(self, words: list[str]) -> dict[str, str]:
        """The first phrase found for each label, as words (for ``why``)."""
        out: dict[str, str] = {}
        for i, label, n in self.spans(words):
            out.setdefault(label, " ".join(words[i : i + n]))
        return out
