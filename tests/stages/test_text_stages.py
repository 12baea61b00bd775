"""The text stages one by one: normalisation, invites, targets, flags, tools."""

from __future__ import annotations

import pytest

from counterspell.privacy import pseudonym
from counterspell.stages.cues import find_cues
from counterspell.stages.links import find_links
from counterspell.stages.normalize import clean, normalise, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＤＩＳＣＯＲＤ", "discord"),  # full-width
        ("dіscоrd", "discord"),  # Cyrillic look-alikes
        ("dis\u200bco\u200drd", "discord"),  # zero-width
        ("d1sc0rd", "discord"),  # leetspeak
        ("d i s c o r d", "discord"),  # spaced out
        ("d.i.s.c.o.r.d", "discord"),
        ("cl455m4t3 m4k3 h3r l3wd", "classmate make her lewd"),
        ("mp4 1080p 10th 16yo h264", "mp4 1080p 10th 16yo h264"),  # numbers that are not leet stay
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_emoji_are_tokens() -> None:
    assert tokens(normalise("holy shit wizard 🔥🔥")) == ["holy", "shit", "wizard", "🔥", "🔥"]


@pytest.mark.parametrize(
    ("text", "link", "dest"),
    [
        ("full set here t[.]me/+AbCd123", "https://t.me/+AbCd123", "telegram"),
        ("t dot me slash wizdrops", "https://t.me/wizdrops", "telegram"),
        ("https://t.me/wizard_drops", "https://t.me/wizard_drops", "telegram"),
        ("disc0rd gg/XyZ12", "https://discord.gg/XyZ12", "discord"),
        ("discord.gg / abc", "https://discord.gg/abc", "discord"),
        ("discord(.)gg/Qq9", "https://discord.gg/Qq9", "discord"),
        ("kik: wiz_drops7", "kik:wiz_drops7", "kik"),
        ("kik me @wiz_drops7", "kik:wiz_drops7", "kik"),
        ("teleguard id ABCDEF12", "teleguard:ABCDEF12", "teleguard"),
        ("session id 05" + "ab" * 32, "session:05" + "ab" * 32, "session"),
        ("signal.me/#p/xyz", "https://signal.me/#p/xyz", "signal"),
        ("archive https://mega.nz/folder/abc", "https://mega.nz/folder/abc", "mega"),
        ("https://gofile.io/d/x", "https://gofile.io/d/x", "filehost"),
        ("catbox https://files.catbox.moe/a.zip", "https://files.catbox.moe/a.zip", "filehost"),
    ],
)
def test_invites_including_obfuscated(text: str, link: str, dest: str) -> None:
    links, dests = find_links(clean(text), normalise(text))
    assert link in links and dest in dests


def test_no_invites_in_ordinary_talk() -> None:
    for text in [
        "kick the ball",
        "this board is dead",
        "see you in the next session",
        "the signal was weak",
    ]:
        assert find_links(clean(text), normalise(text)) == ([], [])


def test_kik_talk_is_not_a_username_and_an_unnamed_group_is_no_invite_key() -> None:
    import duckdb

    from counterspell.stages.links import invite_key, invite_key_sql

    for text in ("kik me back when you're up", "kik was down all day", "kik still sucks"):
        links, dests = find_links(clean(text), normalise(text))
        assert links == [] and dests == ["kik"], text
    for text, name in (
        ("kik: back2back", "kik:back2back"),
        ("add me on kik ghost_edits", "kik:ghost_edits"),
    ):
        assert find_links(clean(text), normalise(text))[0] == [name]
    # "there's a kik group, ask the admin": an invite for the roles, but two communities that
    # both mention one do not share the invite "kik:group"
    links, _ = find_links(clean("there's a kik group too"), normalise("there's a kik group too"))
    assert links == ["kik:group"] and invite_key("kik:group") is None
    con = duckdb.connect()
    assert con.execute(f"SELECT {invite_key_sql('$$kik:group$$')}").fetchone() == (None,)
    assert con.execute(f"SELECT {invite_key_sql('$$kik:ghost_edits$$')}").fetchone() == (
        "kik:ghost_edits",
    )


@pytest.mark.parametrize(
    "text",
    [
        "girl from my class, 16yo, nude her pls",
        "she's 15 btw, make her lewd",
        "she is a junior in high school, undress her",
        "my classmate, she's in 10th grade, spicy edit pls",
        "year 11 girl, lewd her",
        "jailbait from my street",
        "still in school, 17, strip her",
        "sh3's 16 n00d3 her",
        "she is sixteen? no, she's 16, take it all off",
        "high school girl make her naked",
    ],
)
def test_minor_risk_recall_on_many_phrasings(text: str) -> None:
    assert "minor_risk" in find_cues(normalise(text), clean(text)).flags


@pytest.mark.parametrize(
    "text",
    [
        "I learned to bake bread in high school",
        "my kid loves this game",
        "patch 16 is out",
        "the 10th anniversary event",
    ],
)
def test_minor_risk_cue_not_on_ordinary_talk(text: str) -> None:
    assert "minor_risk" not in find_cues(normalise(text), clean(text)).flags


def _final_flags(text: str) -> list[str]:
    """The flags a post ends with after the thread pass (one post, no thread around it)."""
    from counterspell.stages.roles import PostView, RoleModel
    from counterspell.stages.text import text_signals
    from counterspell.stages.thread import ThreadPass, ThreadPost

    s = text_signals(text)
    view = PostView(s.norm, s.cues, s.destinations, bool(s.links), False, False, "forum", "post",
                    0, False)  # fmt: skip
    result = ThreadPass(RoleModel.load()).judge(
        [ThreadPost("forum:x:1", "t", 0.0, [], None, view)]
    )[0]
    assert result is not None
    return result.flags


@pytest.mark.parametrize(
    "text",
    [
        "she is 16 levels above me",  # a candidate cue ("she is 16"), but nothing asks for an image
        "the young lady at the pharmacy was so kind",
        "my niece just turned 12 and wants a phone",
        "found a picture of me at 9 in my school uniform lol",
        "the loli healer in the new gacha banner is busted",
        "she's a junior in high school and already drives better than me",
    ],
)
def test_minor_risk_words_alone_do_not_flag_a_post(text: str) -> None:
    assert "minor_risk" not in _final_flags(text)


def test_minor_risk_with_an_ask_does_flag_a_post() -> None:
    assert "minor_risk" in _final_flags("girl from my class, she's 15, make her lewd")


def test_a_name_that_opens_the_post_is_the_target_and_her_school_year_is_not() -> None:
    def names(text: str) -> list[str]:
        return [v for k, v in find_cues(normalise(text), clean(text)).identifiers if k == "name"]

    text = "Rosa, found her on insta - on the volleyball team, sophomore - nude her"
    assert names(text) == ["rosa"]  # not "sophomore", which the review page then masked instead
    assert names("Damn, she is hot") == [] and names("Bro, her pics are here") == []
    assert names("Lena, 19, make her lewd") == ["lena"]


def test_other_flags_tools_targets_relationship() -> None:
    text = "my coworker, Mia (ig: mia.daily) works at Example Dental, she doesn't know. will pay $20 btc. use roop + inpainting"
    c = find_cues(normalise(text), clean(text))
    assert set(c.flags) == {"doxxing", "non_consent", "payment"}
    assert c.relationship == "coworker"
    assert ("handle:instagram", "mia.daily") in c.identifiers and ("name", "mia") in c.identifiers
    assert set(c.tools) == {"faceswap", "inpainting"}
    for rel, t in [
        ("ex", "my ex gf, lewd her"),
        ("classmate", "lab partner nude her"),
        ("public_figure", "this streamer make her lewd"),
        ("family", "my stepsister undress her"),
        ("acquaintance", "my neighbor, strip her"),
        ("stranger", "random girl from tinder nude her"),
    ]:
        assert find_cues(normalise(t), clean(t)).relationship == rel, t


@pytest.mark.parametrize(
    "text",
    [
        "this armchair is so comfy, best purchase of the year",
        "we queued at the border checkpoint for two hours",
        "the reactor in the third level is bugged, save before it",
        "Lora from accounting is retiring, cake at four",
        "lora gateways need line of sight for the sensors",
        "magnetic flux through the coil, chapter 6",
        "dfl table after matchday 12 looks grim",
        "took her to an upscale place downtown for the anniversary",
        "denoise the vocal track before the mix",
    ],
)
def test_everyday_words_are_not_tools(text: str) -> None:
    """Tool names that are also everyday words name the tool only beside talk of making images:
    alone they made 'comfyui' of a comfy chair, and a deepfake 'domain ask' of game talk."""
    c = find_cues(normalise(text), clean(text))
    assert c.tools == [] and not c.domain_ask, (c.tools, text)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("which checkpoint for realistic gens?", "stable_diffusion"),
        ("comfy workflow with reactor node for the face", "faceswap"),
        ("trained a lora on her insta pics", "lora"),
        ("did it in comfy with a lora", "comfyui"),
        ("upscale it and make her lewd", "upscaler"),
        ("comfyui", "comfyui"),
    ],
)
def test_tool_words_beside_image_talk_are_tools(text: str, tool: str) -> None:
    assert tool in find_cues(normalise(text), clean(text)).tools, text


def test_pseudonyms_are_keyed_and_scoped() -> None:
    a = pseudonym(b"k1", "name", "Mia", "4chan/r")
    assert (
        a == pseudonym(b"k1", "name", "mia", "4chan/r") and a.startswith("tgt_") and "mia" not in a
    )
    assert a != pseudonym(b"k2", "name", "mia", "4chan/r")  # another workspace key
    assert a != pseudonym(b"k1", "name", "mia", "telegram/1")  # first names are scoped
    assert pseudonym(b"k1", "handle:instagram", "x", "a") == pseudonym(
        b"k1", "handle:instagram", "x", "b"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "🔥🔥🔥",
        "<b>bold</b> &amp; <br>",
        "Привет, как дела? 你好 مرحبا",
        "x" * 1_000_000,
        "a " * 300_000,
    ],
)
def test_hostile_or_odd_text_gives_sane_output(text: str) -> None:
    from counterspell.stages.text import text_signals

    s = text_signals(text)
    assert isinstance(s.norm, str) and s.cues.flags == [] and s.destinations == []
