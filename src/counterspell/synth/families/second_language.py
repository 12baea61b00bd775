"""The ``second_language`` family: posters writing English as a second language.

International boards are full of people typing English that was learned at school, on games or
through a translator: article and tense errors ("she is my colleague since two years", "please
somebody can make"), calques from Spanish, Portuguese and German ("she have 16 years", "my chef"
for boss, "handy" for phone), phonetic spellings ("pliss", "becouse", "tanks"), acute accents
instead of apostrophes (``don´t``) and QWERTZ y/z swaps. They switch into their own language in
mid-sentence (amigo, porfa, mano, bitte, danke, obrigado) and write whole posts in it, with the
slang of their region (Spain vs Latin America, Brazil vs Portugal, Germany vs Austria).

Every person, handle, workplace and place is a generator slot; nothing here names anyone real.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family, load_banks

# --------------------------------------------------------------------------------------------
# private helper banks
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# who the target is
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# details of a request
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# requests
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# fulfilment, distribution, praise
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# creators, tech, money, objections
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# hard negatives: same board, same words, nobody asks for an image
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# non-English posts (Spain / Latin America, Brazil / Portugal, Germany / Austria)
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# style: how these writers type
# --------------------------------------------------------------------------------------------
_SPELL: dict[str, tuple[str, ...]] = {
    "please": ("pls", "plz", "pliz", "plis", "pleas", "pleace"),
    "because": ("becouse", "becuase", "bcs", "cause"),
    "picture": ("pictur", "foto", "pic"),
    "pictures": ("picturs", "fotos", "pics"),
    "photo": ("foto",),
    "photos": ("fotos",),
    "really": ("realy", "rly"),
    "beautiful": ("beautifull", "beatiful", "beautyful"),
    "which": ("wich", "witch"),
    "with": ("whit", "wiht"),
    "what": ("wath", "wat"),
    "thanks": ("tanks", "thx", "thank"),
    "thank": ("tank", "tenk"),
    "somebody": ("somebodi", "sombody"),
    "someone": ("somone", "someome"),
    "anybody": ("anibody", "anybodi"),
    "think": ("tink",),
    "different": ("diferent",),
    "possible": ("posible", "possibel"),
    "just": ("jus", "yust"),
    "very": ("veri", "wery"),
    "would": ("woud", "wold"),
    "english": ("englisch", "inglish"),
    "little": ("litle",),
    "again": ("agian", "agin"),
    "girl": ("gril", "girll"),
    "want": ("whant", "wanna"),
    "need": ("nedd", "ned"),
    "result": ("resultat", "resulte"),
    "quality": ("cuality", "qualitat"),
    "image": ("imagen", "imagem"),
    "professional": ("profesional",),
    "every": ("evry",),
    "everything": ("everithing", "evrything"),
    "interesting": ("interessant", "intresting"),
    "yes": ("jes", "ja"),
}
_QWERTZ_WORDS = frozenset(
    "you your yes my maybe anybody somebody nobody everybody any they very really crazy easy "
    "lazy why already only yesterday today body pay play guy guys day every way size zoom".split()
)
_STARTERS = frozenset(
    "please hello hi hola ola hallo is i this she who can thanks thank here done my the a bump up "
    "new no yes what why how ok good very you we it all more one other sorry again still request "
    "need make relax calm somebody someone anybody anyone nobody so oye faceswap remove nude "
    "undress nudify take for from rest full reposting repost old join write contact go use which "
    "send price custom only women girls typical in she's her they their".split()
)
_TOKEN = re.compile(r"([a-z]+)([,.!?]*)")
_FOREIGN_SHORT: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bvocê\b", ("vc",)),
    (r"\bporque\b", ("pq", "xq")),
    (r"\btambém\b", ("tb", "tbm")),
    (r"\bpor favor\b", ("porfa", "pfv")),
    (r"\bque\b", ("q", "k")),
    (r"\bnicht\b", ("nich", "net")),
    (r"\bhabe\b", ("hab",)),
    (r"\bgibt es\b", ("gibts",)),
)
_ACCENTS = str.maketrans(
    {
        "á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "à": "a", "â": "a", "ê": "e", "ô": "o",
        "ã": "a", "õ": "o", "ç": "c", "ñ": "n", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
    }
)  # fmt: skip
_EMOJI: dict[str, tuple[str, ...]] = {
    "request": ("🙏", "🙏🙏", "😅", "👀", "😈", "🥺"),
    "praise": ("🔥", "👏", "😍", "💯", "👑"),
    "fulfillment": ("👍", "😎", "✌️"),
    "counter_speech": ("😡", "🤮", "🚨"),
    "other": ("😂", "🤣", "😅", "🙄", "👍"),
}
_LAUGH = {
    "es": ("jajaja", "jaja", "jajajaja", "xD"),
    "pt": ("kkkkk", "kkk", "rsrs", "kkkkkkk"),
    "de": ("haha", "xD", "hahaha", "lol"),
    "en": ("lol", "hahaha", "xD", "lmao"),
}
_MARKERS: dict[str, frozenset[str]] = {
    "es": frozenset(
        "alguien tío tía wey esto ella está hilo mujeres porfa gracias joder las los una del por "
        "con para muy hace hoy buenas qué que solo todas tienes hermano parce che vale pues quiero "
        "hola jaja jajaja mujer sin ropa haga el mi yo pero también tengo hay eres vive quién "
        "gente chicos esta le lo nada otra hecho listo".split()
    ),
    "pt": frozenset(
        "alguém alguem mano ela isso não tá kkkk kkk pra dela você vocês mulher uma com mais "
        "muito só são tem aqui tô ta minha meu pá malta gajas galera valeu obrigado véi cara "
        "boas sem roupa faz é do da na mim ele também dá feito pronto foto fotos".split()
    ),
    "de": frozenset(
        "ist die der das nicht ich bitte danke oida digga wer kann sie und mit von auf eine ein mir "
        "mal auch alle sind hab weil frau frauen wir heute geht alter servus moin schön zu aus "
        "er es was noch mehr fertig hier".split()
    ),
}
_STRETCH = frozenset("please pls plz up bump porfa bitte amigo thanks pliss mano hola".split())


def _misspell(rng: random.Random, text: str, kb: str, rate: float) -> str:
    """Word-level ESL spellings and keyboard typos, only on plain lowercase words."""
    out: list[str] = []
    qwertz_left = 1 if kb == "de" and rng.random() < 0.35 else 0
    slip_left = 1 if rng.random() < 0.06 else 0
    for line in text.split("\n"):
        words = line.split(" ")
        for i, tok in enumerate(words):
            m = _TOKEN.fullmatch(tok)
            if not m:
                continue
            word, tail = m.group(1), m.group(2)
            if word in _SPELL and rng.random() < rate:
                word = rng.choice(_SPELL[word])
            elif qwertz_left and word in _QWERTZ_WORDS and rng.random() < 0.5:
                word = word.translate(str.maketrans("yz", "zy"))
                qwertz_left = 0
            elif kb in ("es", "pt") and slip_left and "l" in word and rng.random() < 0.3:
                # the key right of "l" is ñ / ç on Spanish and Portuguese layouts
                at = word.index("l") + 1
                word = word[:at] + ("ñ" if kb == "es" else "ç") + word[at:]
                slip_left = 0
            words[i] = word + tail
        out.append(" ".join(words))
    return "\n".join(out)


def _style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a finished post the way people typing in their second language do."""
    if not text:
        return text
    kb = rng.choice(("es", "es", "pt", "pt", "de", "de", "en"))  # the writer's own keyboard
    words = set(re.findall(r"[a-zà-ÿ]+", text.lower()))
    hits = {lang: len(words & marks) for lang, marks in _MARKERS.items()}
    lang = max(hits, key=lambda k: hits[k])
    if hits[lang] and list(hits.values()).count(hits[lang]) == 1:  # their own keyboard
        kb = lang
    # contractions: acute accent from a European layout, or no apostrophe at all
    r = rng.random()
    if r < 0.3:
        text = text.replace("'", "´")
    elif r < 0.6:
        text = text.replace("'", "")
    # ESL spellings and y/z swaps
    text = _misspell(rng, text, kb, rng.choice((0.0, 0.15, 0.3, 0.5)))
    # chat shorthand inside foreign words (q, pq, vc, net...)
    if rng.random() < 0.4:
        for pat, subs in _FOREIGN_SHORT:
            if rng.random() < 0.5:
                text = re.sub(pat, rng.choice(subs), text)
    # a keyboard without accents / umlauts
    if rng.random() < 0.3:
        text = text.translate(_ACCENTS)
    # casing: lowercase start, lowercase "I"
    first = text.split(" ", 1)[0].rstrip(",.!?:").lower()
    if first in _STARTERS and rng.random() < 0.6:
        text = text[0].lower() + text[1:]
    if rng.random() < 0.5:
        text = re.sub(r"\bI\b", "i", text)
    elif rng.random() < 0.1:
        text = re.sub(r"\bi\b", "I", text)
    # short shouty posts (only when nothing is capitalised, so no slot value changes)
    tokens = re.findall(r"[^\s,.!?:;()]+", text)
    short = len(text) < 28 and all(w in _VOCAB for w in tokens)  # only our own words, no slots
    if short and rng.random() < 0.08:
        text = text.upper()
    # stretched last word ("pleaseee", "bumppp")
    m = re.search(r"([a-z]+)([!?. ]*)$", text)
    if m and m.group(1) in _STRETCH and rng.random() < 0.3:
        w = m.group(1)
        text = text[: m.start()] + w + w[-1] * rng.randint(1, 4) + m.group(2)
    # punctuation habits
    if text.endswith("?"):
        p = rng.random()
        if p < 0.25:
            text += "?" * rng.randint(1, 3)
        elif p < 0.35:
            text = text.rstrip("?").rstrip() + " ?"
        elif p < 0.45 and kb == "es" and "\n" not in text and not text.startswith("¿"):
            text = "¿" + text
    elif text.endswith("!") and rng.random() < 0.3:
        text += "!" * rng.randint(1, 3)
    elif text[-1].isalpha() and rng.random() < 0.12:
        text += rng.choice(("...", "..", " ...", "!", " !!"))
    # a laugh in the writer's language
    base = role.split(".")[0]
    if base in ("other", "praise", "request") and rng.random() < 0.12:
        text += " " + rng.choice(_LAUGH[kb])
    # emoji
    if base in _EMOJI and rng.random() < 0.14:
        text += " " + rng.choice(_EMOJI[base])
    return text


_BANKS: dict[str, list[str]] = load_banks(__name__)
# every lowercase word the templates themselves write (slot values are never in it by design)
_VOCAB = frozenset(
    w
    for bank in _BANKS.values()
    for t in bank
    for w in re.findall(r"[^\s,.!?:;()]+", re.sub(r"\$[a-z_]+|[{}<>|]", " ", t))
    if w == w.lower()
)

FAMILY = Family(
    name="second_language",
    banks=_BANKS,
    style=_style,
    description=(
        "English as a second language on international boards: calques and tense/article "
        "errors, phonetic spellings, acute-accent apostrophes and QWERTZ typos, mid-sentence "
        "switches into Spanish, Portuguese and German, and native posts with regional slang."
    ),
)

__all__ = ["FAMILY"]
