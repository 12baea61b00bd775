"""emoji_chat: a Telegram/Discord group chat written by zoomers.

Emoji everywhere (💀😭🔥🙏👀😈🫠), slang (fr, ngl, no cap, lowkey, bro, ong, istg, iykyk, ate, W, L),
elongated letters, ALL CAPS bursts, one-liners and split messages, @-mentions of made-up users and
almost no full stops. The Spanish, Portuguese and German posts are written the way teenage boys and
young men text in those languages (wey, jajaja, kkkk, mano, digga, alter...), with English board
words mixed in. Every request is euphemistic and non-graphic; every name, handle and place comes
from the generator's slots.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family

# --------------------------------------------------------------------------------------------
# private helper banks (keys start with "_")
# --------------------------------------------------------------------------------------------
# fmt: off
_HELPERS: dict[str, list[str]] = {
    "_e": ["💀", "😭", "🔥", "🙏", "👀", "😈", "🫠", "😩", "🥺", "😏", "‼️", "🤭"],
    "_e2": ["💀💀", "😭😭😭", "🙏🙏", "👀👀", "😈🔥", "🫠🫠", "🙏😭", "😩🙏", "‼️‼️", "👀😈", "😭🙏🙏"],
    "_emo": ["<_e>", "<_e2>", "", "<_e>"],
    "_user": [
        "edit_lord", "pixelgoblin", "vexx.ai", "sleepyboi", "ghostfork", "lordofpixels",
        "tmac07", "glizzygremlin", "roninx", "wizzy", "kaizen_gen", "nocapnate", "shadowmods",
        "zynlord", "mrrender", "goblinmode", "deadpixel99", "hxnter",
    ],
    "_yo": [
        "yo", "yoo", "yooo", "ayo", "broo", "bro", "chat", "guys", "gc", "ok so", "listen",
        "ngl", "lowkey", "ahem", "real quick", "@<_user>", "hey wizards", "bruh", "gm",
    ],
    "_wiz": [
        "wizards", "editors", "ai bros", "goats", "kings", "legends", "boys", "gc", "chat",
        "gooners", "brothers",
    ],
    "_plz": [
        "pls", "plz", "pleaseee", "pleaseeee", "plsss", "pls 🙏", "i beg", "im begging",
        "🙏🙏", "pretty please", "ong pls", "PLEASE", "plssss 😭",
    ],
    "_someone": [
        "someone", "anyone", "smn", "any1", "who", "can any of yall", "any wizard", "sm1",
        "anybody", "one of yall",
    ],
    # a verb phrase that takes the target ($who) right after it
    "_v": [
        "nude", "undress", "lewd", "do a spicy edit of", "do ur thing on", "work ur magic on",
        "run the undress bot on", "give the treatment to", "do an nsfw edit of",
        "make a spicy version of", "cook up something spicy with", "ai undress",
        "take the clothes off of", "do the thing on", "make a lewd of",
    ],
    # a full ask, already about "her"
    "_vp": [
        "nude her", "undress her", "make her lewd", "do a spicy edit", "take it all off",
        "do ur thing on her", "faceswap her onto something lewd", "make her less dressed",
        "give her the treatment", "run her thru the undress bot", "make her outfit disappear",
        "put her in her birthday suit", "lewd her up", "make her nsfw", "make her fit go poof",
        "give her the spicy treatment", "put her face on something nsfw", "make it nsfw",
        "take the fit off", "work ur magic 😈",
    ],
    # how he wants her to end up
    "_done": [
        "nuded", "undressed", "lewded", "spicy edited", "w no clothes", "with the clothes off",
        "in her birthday suit", "less dressed", "nsfw", "without the fit 😈",
        "given the treatment", "with nothing on", "in a spicy edit",
    ],
    "_short_ask": [
        "nude pls", "undress 🙏", "spicy edit?", "the treatment pls", "u know what to do 😈",
        "do ur thing", "take it all off", "lewd?", "nsfw edit pls", "make her spicy",
        "the usual 😈", "clothes gone pls", "undress her fr",
    ],
    "_reason": [
        "she's been posting like this all week", "she thinks shes so untouchable lol",
        "shes so fine its unfair", "been thinking abt it for months ngl", "she curved me so",
        "she posts like this on purpose istg", "bc why not 😈", "for science 🧪",
        "she got me acting up fr", "she left me on read so",
        "she walks around like she owns the place",
    ],
    "_lookhere": [
        "pic attached", "pics below", "👇", "pic 👇👇", "look at this", "source attached",
        "here's the pic", "check the pic", "👇👇👇", "pics in the reply",
    ],
    "_fr": ["fr", "ong", "no cap", "ngl", "istg", "lowkey", "deadass", "fr fr", ""],
    "_lol": ["lol", "lmao", "lmaooo", "💀", "😭", "kek", "lmfao", ""],
    # foreign targets (the English $who would read wrong inside a Spanish/Portuguese/German post)
    "_who_es": [
        "mi compañera del jale $name", "mi ex $name", "$name de mi uni", "una morra del gym",
        "mi vecina $name", "esta streamer $name", "la novia de mi compa", "mi prima $name",
        "una chava q vi en tiktok", "$name la de recursos humanos",
    ],
    "_who_pt": [
        "minha colega de trampo $name", "minha ex $name", "a $name da facul", "a mina da academia",
        "minha vizinha $name", "essa streamer $name", "a namorada do meu parça",
        "minha prima $name", "uma mina q vi no tiktok", "a $name do rh",
    ],
    "_who_de": [
        "meine arbeitskollegin $name", "meine ex $name", "$name aus meiner uni", "die eine vom gym",
        "meine nachbarin $name", "die streamerin $name", "die freundin von meinem kumpel",
        "meine cousine $name", "so ne random von tiktok", "$name aus der personalabteilung",
    ],
    "_e_es": ["🙏", "😈", "🔥", "😭", "jajaja", "jsjsjs", "xd", "👀", "jajajaja", ""],
    "_e_pt": ["🙏", "😈", "🔥", "😭", "kkkk", "kkkkkkk", "👀", "kkk", "rsrs", ""],
    "_e_de": ["🙏", "😈", "🔥", "😭", "lol", "💀", "👀", "haha", "xD", ""],
}

# --------------------------------------------------------------------------------------------
# who the target is
# --------------------------------------------------------------------------------------------
_WHO: dict[str, list[str]] = {
    "who.coworker": [
        "my coworker $name", "$name from work", "this girl $name from my job",
        "$name from my job 💀", "the new girl at work ($name)", "my shift lead $name",
        "$name, she works the front desk w me", "my manager $name", "this girl from work",
        "my work bestie $name 😭", "$name from the office",
        "the girl who sits across from me at work", "$name from HR 💀", "my coworker",
    ],
    "who.classmate": [
        "$name from my uni class", "this girl in my lecture ($name)", "$name from my bio lab",
        "my lab partner $name", "this girl from my dorm floor", "$name from my stats class",
        "the girl who sits in front of me in econ", "my study group girl $name",
        "$name from uni 👀", "my classmate $name", "this girl from my seminar",
    ],
    "who.ex": [
        "my ex $name", "my ex 💀", "$name (my ex)", "my ex gf", "the ex", "my ex $name 😈",
        "$name, my ex who dumped me", "my crazy ex", "my ex from senior year of college",
        "my ex $name who blocked me everywhere", "the ex 😒",
    ],
    "who.family": [
        "my cousin $name", "my stepsis $name", "my sister in law $name", "my step sister",
        "my cousins wife $name", "my brothers gf $name", "my stepmom", "my sis in law 💀",
        "$name (my cousin dont ask)", "my step cousin $name", "my aunt $name 😭",
    ],
    "who.acquaintance": [
        "my neighbor $name", "my bros gf $name", "this girl from my gym", "$name from the gym",
        "my friends gf", "my buddys wife $name", "the barista $name", "my homies sister $name",
        "$name who lives next door", "my landlords daughter $name",
        "this girl from my friend group",
    ],
    "who.public_figure": [
        "this streamer $name", "$name the twitch girl", "this tiktoker $name",
        "the weather lady on our local news ($name)", "this fitness influencer $name",
        "$name from youtube", "$name the asmr girl", "this local news anchor $name",
        "$name from that podcast", "the cosplay girl $name", "$name (streamer, iykyk)",
    ],
    "who.stranger": [
        "this random girl from the train", "some girl i saw on tiktok", "this baddie from my fyp",
        "the girl from the coffee shop", "random ig girl", "a girl i matched w on hinge",
        "this girl from the bus stop", "some girl from a reel", "random girl at my bank",
        "this girl i found on explore", "this girl $name i saw at the mall",
    ],
}

# --------------------------------------------------------------------------------------------
# details of a request
# --------------------------------------------------------------------------------------------
_DETAIL: dict[str, list[str]] = {
    "detail.handle": [
        "her ig is $handle", "ig: $handle", "insta @$handle 👀", "her tiktok is $handle",
        "she posts on ig as $handle", "@$handle on insta", "$handle on tiktok", "snap: $handle",
        "{ig|insta|tt} is @$handle {go look|👀|iykyk|}", "find her on ig $handle",
    ],
    "detail.doxx.work": [
        "she works at $employer", "works at $employer in $town", "shes at the $employer in $town",
        "u can find her at $employer 💀", "she does front desk at $employer",
        "$employer, $town branch", "she works at $employer {lol|💀|iykyk|}",
        "works the morning shift at $employer", "she's at $employer if anyone's from $town",
        "{she works|works} {at|for} $employer",
    ],
    "detail.doxx.school": [
        "she goes to $school", "3rd year at $school", "studying nursing at $school",
        "she's in my stats class at $school", "$school student", "goes to $school {lol|👀|}",
        "senior at $school (college)", "she's doing her masters at $school",
        "{she goes to|she studies at|goes to} $school", "$school grad student",
    ],
    "detail.doxx.home": [
        "she lives in $town", "from $town iykyk", "$town girl 💀",
        "lives like 5 min from me in $town", "anyone else from $town??", "she's from $town",
        "lives in $town {lol|👀|}", "shes local, $town", "$town represent 😭",
        "she lives on my street in $town",
    ],
    "detail.doxx.school_minor": [
        "she goes to $school", "sophomore at $school", "10th grade at $school",
        "year 11 at $school", "she's at $school (high school)", "junior at $school",
        "$school, class of next year", "she's in my lil bros grade at $school",
        "goes to $school {lol|👀|}, still in hs",
        "{she goes to|goes to|shes at} $school {fr|iykyk|}", "shes on the $school volleyball team",
    ],
    "detail.minor": [
        "shes 16", "she's 17 btw", "junior in high school", "shes in year 11", "still in hs lol",
        "10th grade", "she just turned 15", "not 18 yet 💀", "shes a sophomore in hs",
        "she's in year 10", "{shes|she's} {15|16|17}", "still in high school {lol|💀|}",
    ],
    "detail.nc": [
        "she has no idea lol", "she'd never send so",
        "her acc is private, screenshotted from my alt",
        "she def would NOT be ok with it 💀 keep it in the gc", "dont tell her lmaooo",
        "she blocked me so", "got these from her close friends story", "she doesnt know im here 🤫",
        "private acc, got in w a fake follow", "she'd kill me if she found out 😭",
        "she {has no clue|doesnt know|would never know} {lol|💀|🤫}",
    ],
    "detail.pay": [
        "will pay $$amount", "$$amount for whoever does it", "ill venmo u $$amount",
        "cashapp $$amount ready", "paying $$amount no cap", "$$amount on paypal rn",
        "got $$amount for it", "tipping $$amount 💸", "$$amount if its good",
        "{will pay|paying|can pay} $$amount {fr|ong|💸|}",
    ],
}

# --------------------------------------------------------------------------------------------
# requests
# --------------------------------------------------------------------------------------------
_REQUEST: dict[str, list[str]] = {
    "request.open": [
        "<_yo> <_someone> {can|wanna|tryna} <_v> $who {<_plz>|} $extras <_emo>",
        "$who\n$extras\n<_someone> <_vp> <_plz>", "need $who <_done> <_fr> <_emo> $extras",
        "<_yo> <_wiz> $who {pls|} {<_vp>|<_short_ask>} $extras {<_lookhere>|}",
        "@<_user> u free? got one for u\n$who\n$extras\n{u know what to do 😈|<_vp> <_plz>}",
        "ok so $who\n$extras\n{i need|need} her <_done> <_fr> <_emo>",
        "bro $who {has been living in my head rent free|has me going crazy|is so unserious w "
        "these pics} <_emo>\n$extras\n<_someone> <_vp>",
        "REQUEST: $who <_emo> $extras\n<_short_ask>",
        "<_lookhere>\n$who {btw|}\n$extras\n{<_vp>|<_short_ask>} {<_plz>|}",
        "lowkey wanna see $who <_done> <_fr>\n$extras\n{<_someone> able to?|<_someone> "
        "down?|who got the skills}",
        "{istg|ngl|fr} if {someone|anyone} <_v> $who ill {owe u forever|venmo u|worship u|name "
        "my firstborn after u} <_emo>\n$extras",
        "$extras\nthats $who {btw|fyi|lol}\n{<_vp>|<_short_ask>} <_emo>",
        "wizards wya <_e> got $who for u\n$extras\n{make her spicy|the usual|<_vp>}",
        "{can|could} {some1|someone|any of yall} {faceswap|swap} $who onto something "
        "{lewd|spicy|nsfw} <_plz>\n$extras",
        "<_reason> {ngl|lol|fr|tbh|}\n$who\n$extras\n<_vp> <_emo>",
        "$who <_e2>\n$extras\n<_short_ask>",
        "{brooo|chat|guysss} i {need|NEED} $who <_done> rn <_e2>\n$extras {<_plz>|}",
        "{first time posting|new here} {lol|👋} {can|could} someone {pls|} <_v> "
        "$who?\n$extras\n{<_lookhere>|}",
        "$who 👀👀\n$extras\n{wonder what she looks like|lowkey curious how she looks} {w "
        "nothing on|without the fit} 😏 <_someone> {make it happen|wanna find out|pls}",
        "{GUYS|CHAT|BRO} $who {PLS|PLEASE} <_emo> $extras\n{one spicy edit|one lewd|one nude "
        "edit} {thats all i ask|and ill leave|is all i want}",
        "give $who the {treatment|full treatment|spicy treatment|undress treatment} {<_plz>|} "
        "<_e> $extras",
        "{whos|who's} {free|online|taking reqs} rn?\n$who {<_e>|}\n$extras\n{<_vp>|<_short_ask>}",
        "{lf|looking for} {someone|a wizard|an editor} to <_v> $who <_e>\n$extras\n{will "
        "tip|dm me|<_plz>}",
        "$who but {w the clothes gone|with nothing on|nsfw|spicy} <_e> $extras {<_plz>|}",
        "{tryna|trying to} see $who <_done> <_fr>\n$extras\n{someone help|hmu if u can|<_plz>}",
        "not me requesting $who again 😭 $extras\n<_vp> <_plz>",
        "{bro|brooo} {just|} {one|1} {pic|edit} of $who <_done> and im set for life <_e2>\n$extras",
        "@<_user> @<_user> {yall|u guys} {up|awake|free}?\n$who\n$extras\n{<_vp>|<_short_ask>} "
        "{<_plz>|}",
        "$who\n$extras\n{undress|nude|lewd|spicy}\n<_e2>",
        "{hear me out|dont judge} <_lol> $who\n$extras\n{<_someone> <_vp>|<_short_ask>} <_emo>",
    ],
    "request.bump": [
        "bump", "bumpp", "up", "⬆️", "bump 🙏", "anyone???", "still need this", "bro 😭",
        "helloooo", "pls someone 😭", "bumping", "BUMP", "no one? 💀", "🆙", "{bump|up|🆙} <_emo>",
        "{still|stilll} {waiting|need this} <_e>", "chat is dead or what 😭 bump", "👆",
        "{hello??|anyone alive|wizards where u at} <_e>", "bump bc i said so",
    ],
    "request.bump_name": [
        "$name pls 🙏", "bump for $name", "still need $name 😭", "anyone do $name yet", "$name????",
        "$name bump", "someone take $name pleasee", "{bump|up} {$name|for $name} <_emo>",
        "$name still open <_e>", "nobody wants $name?? 💀", "$name <_e2>",
        "pls dont let $name die 😭",
    ],
    "request.more_pic": [
        "here's another one from her story", "one more, from her beach trip 🏖️",
        "this one's from the work christmas party", "got another from her ig",
        "this one better? from her bday", "another angle, from her tiktok",
        "from her close friends story 👀", "found one from her vacay <_e>",
        "{another one|one more|+1 pic} {from her story|from her fb|from her cousins "
        "wedding|from a gym selfie} <_emo>",
        "this is from her grad dinner, face is clearer", "screenshotted this from her live lol",
        "pic from the company bbq 💀",
    ],
    "request.nothing_public": [
        "thats all i got 😭", "her acc is private so", "this is literally it bro",
        "she barely posts", "only have these 2", "no more pics sry, she privated her ig",
        "shes private af 💀", "i screenshotted everything there is", "thats all thats public",
        "she deleted all her posts 😭", "{nah|no|nope} {thats it|thats all|nothing else} <_emo>",
        "she only posts stories and they expire",
    ],
    "request.insist": [
        "its just fake bro relax", "nobodys gonna see it chill", "its AI its not even her 💀",
        "ok and? still want it", "who asked 😭 someone do it", "bro its not that deep",
        "cry abt it, still need it", "not real so who cares", "relax its for me only",
        "{chill|relax|calm down} {its fake|its ai|its just pixels} <_e> still want it",
        "ur not the main character bro 💀 anyway someone pls",
        "ignore him <_fr> still need her done",
    ],
    "request.second": [
        "this", "+1", "THIS", "would like to see too 👀", "seconding", "yes pls", "same",
        "need this too fr", "👆👆", "bump, want too", "real", "following 👀", "ong this 🙏",
        "{this|+1|same} <_e>", "me too me too", "W request, need it too",
    ],
    "request.repeat": [
        "anyone ever finish $name from the old thread? still need her <_done>",
        "reposting my req from last thread, $name <_e> <_short_ask>",
        "asked for $name like 3 threads ago still nothing 😭 <_vp> <_plz>",
        "does anyone still have $name from thread $n? if not can someone redo <_e>",
        "rerequesting $who, last one died 💀 <_short_ask>",
        "{yall|u guys} forgot abt $name 😭 she was in thread $n, <_vp> <_plz>",
        "{running it back|trying again} w $name <_e> <_short_ask>",
        "$name again bc nobody took her last time <_e2> <_vp>", "old req but $who, <_vp> {<_plz>|}",
        "remember $name from thread $n? still want her <_done>",
    ],
}

# --------------------------------------------------------------------------------------------
# fulfilments, distribution, praise
# --------------------------------------------------------------------------------------------
_SUPPLY: dict[str, list[str]] = {
    "fulfillment.delivery": [
        "here", "done ✅", "took a while", "here u go", "there u go 😈", "delivered 📦",
        "done, enjoy", "ur welcome", "here @<_user>", "🫡 done", "cooked 🔥", "here bro",
        "{here|done|there} <_emo>", "as requested 😈", "fresh out the oven 🔥", "ok here",
    ],
    "fulfillment.remark": [
        "rough angle, best i could", "quick inpaint not great", "hands are cooked sry 😭",
        "face kinda off ngl", "lighting is mid bc the source was dark",
        "did it on my phone dont judge", "faceswap kinda melted at the hairline 💀",
        "took like 40 gens to get that one", "source was low res so its blurry",
        "first try w the new model, lmk", "{ngl|lowkey} {not my best|kinda mid|rushed it} <_e>",
        "background got weird, ignore that", "the undress bot did most of the work lol",
        "skin tone a bit off, couldnt fix it",
    ],
    "distribution.invite": [
        "more in the tg $invite", "join $invite for the full set", "hmu $invite",
        "full pack at $invite 👀", "new gc bc the old one got nuked: $invite",
        "{vip|main|backup} chat 👉 $invite", "rest is here $invite <_e>",
        "$invite <_e2> u know what it is", "dm me on $invite for customs",
        "if u want more {its all|everything is} at $invite", "link for the ones who asked: $invite",
    ],
    "distribution.repost": [
        "reposting for the ppl who missed it", "repost from last thread", "for the ones asking 👇",
        "old one but gold", "since ppl kept asking", "repost bc the last thread died 💀",
        "{reposting|dropping this again} <_e>", "throwback 😈", "for the new ppl",
        "yall slept on this one", "from thread $n, reposting",
    ],
    "distribution.pointer": [
        "rest is in the tg", "check the server", "full set in the discord", "its all in the gc",
        "rest on mega, ask in dms", "dm for the rest", "vip channel has the rest 👀",
        "{the rest|full set|everything else} {is in|is on} {the tg|the discord|mega|the vip} <_e>",
        "iykyk where the rest is 😈", "not posting the rest here, u know where",
        "check pins for the rest",
    ],
    "praise.generic": [
        "W", "ATE 🔥", "bro cooked", "this is insane", "goated", "u ate this up no crumbs",
        "the GOAT", "W wizard", "u a legend fr", "holy", "bro is HIM", "no way thats ai 💀",
        "{bro|u|this} {ate|cooked|went crazy} <_emo>", "best in the gc no cap",
        "how is this so clean", "W W W", "ur actually crazy for this 😭",
    ],
    "praise.thanks": [
        "tysm 🙏", "thank u bro", "ur the goat thank u", "W thx", "tyyy", "appreciate u fr",
        "owe u one", "omg thank youuu", "{ty|thx|tysm} <_e2>", "bro thank u so much 😭",
        "ur a real one", "exactly what i wanted ty", "thank u king 👑",
    ],
    "praise.emoji": [
        "🔥", "🔥🔥🔥", "👑", "🙏", "😈🔥", "🐐", "💯", "😩🙏", "👀🔥", "🔥👑", "🐐🐐",
        "<_e2>", "W 🔥", "😮‍💨🔥",
    ],
}

# --------------------------------------------------------------------------------------------
# the business side, objections
# --------------------------------------------------------------------------------------------
_TRADE: dict[str, list[str]] = {
    "source_solicitation": [
        "need better pics", "got any face close ups?", "source too blurry bro send more",
        "need a pic where her face is forward", "any full body pics?", "send more angles",
        "higher res pls", "is there one without sunglasses", "that one is too dark",
        "{got|have|any} {more|better} {pics|sources|angles} of her? <_e>",
        "cant do much w this one 😭 send more", "need one w good lighting",
        "face is covered, got another?", "her hair is in the way, any other pic",
        "send whatever u got from her ig",
    ],
    "technical": [
        "what model u using", "sdxl or 1.5 for this?",
        "inpainting at like 0.55 denoise is the sweet spot", "which lora for realism",
        "faceswap app keeps crashing on me 😭", "comfy > a1111 fr", "roop or facefusion?",
        "the tg bot is down again 💀", "use controlnet for the pose", "how many steps u running",
        "my gpu is crying, 8gb vram aint it", "runpod is cheaper than buying a 4090 ngl",
        "dont upscale before the faceswap, do it after", "whats the bot called again",
        "{anyone|who} got a {good|working} {workflow|json|colab} <_e>",
        "new checkpoint dropped, its kinda goated",
    ],
    "payment": [
        "$$amount per pic", "customs start at $$amount", "sent u $$amount check ur cashapp",
        "tipped $$amount 🙏", "$amount€ via paypal ok?", "crypto only, $$amount",
        "3 for $$amount this week only", "bro charging $$amount is crazy 💀",
        "paid $$amount, waiting", "{its|thats} $$amount {for a custom|per edit|flat}",
        "$$amount and u get it today", "venmo @<_user> $$amount", "ill do it for $$amount, dm",
    ],
    "counter_speech": [
        "bro these are real women wtf", "this is literally illegal", "she didnt consent to this",
        "reported", "yall are weird af", "imagine if someone did this to ur sister",
        "this is sexual harassment fr", "deepfake laws exist btw, yall are cooked",
        "nah this is creepy af, im out",
        "{reported|reporting} {this gc|all of u|the whole chat} {to discord|to tg|}",
        "shes a real person bro 😐", "none of these girls said yes to this, think abt that",
        "posting someones coworker like this is how u end up in court",
        "yall need therapy not edits",
    ],
    "counter_speech.minor": [
        "SHES 16???? reporting", "bro said shes in high school wtf, reported",
        "thats a minor. reported to discord trust and safety", "yall need jail, shes a kid",
        "nah shes underage, reported to ncmec", "she's in year 11 bro wtf is wrong w u, reported",
        "{hes|he's} asking for a {minor|kid|high schooler} 😐 reported {to tg|to discord|to the "
        "cops}",
        "not 18 = instant report, done", "mods ban him NOW, shes a child",
        "screenshotted and reported, shes a minor",
    ],
}

# --------------------------------------------------------------------------------------------
# the hard negatives: same crowd, same words, no request
# --------------------------------------------------------------------------------------------
_OTHER: dict[str, list[str]] = {
    "other.chatter": [
        "gm chat", "new thread when", "bro the gc is dead", "who up", "lmaooo",
        "anyone watching the game", "im so bored", "wifi at my job is trash", "happy friday 🙏",
        "whos online", "gn yall", "{gm|gn|yo} {chat|gc|kings} <_emo>",
        "bro i just woke up its 3pm 💀", "this gc is my only friend fr",
        "anyone tried the new taco bell thing", "its so hot rn 🫠",
        "im eating cereal at midnight again",
    ],
    "other.meta": [
        "read the pins before posting", "mods sleeping 💀", "hello fbi 👋",
        "hi fbi agent assigned to me 🫡", "@<_user> is a scammer dont pay him",
        "no minors. instant ban, no warnings", "stop dming ppl first", "sage",
        "new gc got made bc old one got nuked", "admin pls kick the bots",
        "dont post links in main chat", "fake wizard alert, he took my $ and ghosted",
        "{mods|admins} {where|wya} <_e>", "rule 1 read the rules",
        "verified role only for regulars, dont ask",
    ],
    "other.sexist": [
        "women ☕", "girls be like i want a man w goals then date a guy named tyler",
        "shes mid and thinks shes a 10", "females cant take a joke fr", "women drivers 💀",
        "all girls on hinge want 6'2", "shes only w him for the money fr", "modern women 🤡",
        "she got a bodycount higher than my gpa", "women belong in the kitchen 😭 (jk) (unless)",
        "{girls|women|females} {be like|are all the same|always do this} <_e>",
        "$name thinks shes so special bc she got 2k followers 💀",
        "never trust a girl w a ring light",
    ],
    "other.lust": [
        "$name is so fine its not fair", "bro she def has an OF",
        "she sent nudes to my homie back in the day", "wish i could see her without the fit ngl",
        "my coworker is a 10 i swear 😩", "the new barista 🥵🥵", "her ig is basically an OF already",
        "ngl id pay to see that fr",
        "{$name|she|that girl} {is so fine|got me down bad|is unreal} <_emo>",
        "bro shes got an of, link in bio lol", "down bad for $name rn 😩",
        "she posts thirst traps every day istg",
    ],
    "other.insult": [
        "touch grass bro", "cope", "ratio + L + fell off", "ur so mid", "who asked 💀",
        "bro is chronically online", "go outside", "skill issue", "cry abt it", "L bozo",
        "ur lowkey the weirdest person in this gc", "{L|mid|cope} {take|edit|guy} <_e>",
        "@<_user> shut up 😭", "bro types like a microwave", "ur gpu has more personality than u",
    ],
    "other.sfw_edit": [
        "can someone remove the bg from this 🙏",
        "can anyone restore this old pic of my grandparents",
        "fix the lighting on this pls its so dark", "make this into a meme 💀",
        "photoshop my ex OUT of this pic pls 😭", "can someone put a cowboy hat on my cat",
        "upscale my pfp pls", "make me look less tired in this pic lol",
        "remove the guy in the back pls", "turn my dog into an anime character",
        "{can|could} {someone|anyone} {remove the watermark|fix the blur|color this old pic} "
        "<_plz>",
        "make my car look clean for the listing 😭",
    ],
    "other.age": [
        "my lil sis turned 13 today and her phone is glued to her hand 💀",
        "this is me at 7 lmaooo 😭", "my cousin starts year 7 monday, time flies",
        "my mom is 52 and still beats me at mario kart",
        "shoutout to the young lady at the pharmacy who saved my life",
        "my niece in 2nd grade does harder math than me",
        "teacher appreciation day today, my moms a teacher 🙏", "im 19 and my back hurts already",
        "bro my little brother is in 8th grade and taller than me", "my grandma turned 90 🎉",
        "{my|our} {nephew|little cousin|lil bro} {just started|is in} {kindergarten|middle "
        "school|3rd grade} <_e>",
        "found my 5th grade yearbook 💀 the haircut",
    ],
    "other.game": [
        "genshin new school uniform skins go crazy", "blue archive banner ate",
        "best waifu tier list, fight me", "that anime's school festival arc is peak",
        "the loli character in that gacha is the strongest unit fr",
        "year 7 dungeon is so hard istg", "persona 5 school outfits are goated",
        "valorant new skins are mid", "whos ur main", "minecraft server when",
        "{waifu|husbando} wars in the gc again <_e>", "bro pulled 200 times and didnt get her 😭",
        "elden ring dlc still kicking my ass",
    ],
    "other.question": [
        "who is she?", "sauce?", "sauce pls", "what board is this", "wait what app is this",
        "is this ai or real", "who made this", "whats this gc about", "how do i get verified",
        "wait who is that lol", "wheres the rules", "{who|whos} {that|she|this} <_e>",
        "is this the new thread?",
    ],
}

# --------------------------------------------------------------------------------------------
# non-English posts
# --------------------------------------------------------------------------------------------
_FOREIGN: dict[str, list[str]] = {
    # ---- Spanish
    "request.open@es": [
        "alguien {q|que} le quite la ropa a <_who_es> {porfa|plis} <_e_es>",
        "wey necesito a $name {sin ropa|encuerada|en version spicy} <_e_es> {alguien?|quien puede}",
        "bro <_who_es> 👀 alguien le hace el edit {spicy|picante|nsfw}? <_e_es>",
        "{porfa|plis} alguien hagale {un nude|el tratamiento|un edit picante} a <_who_es> 🙏🙏",
        "<_who_es>\nalguien la puede desnudar con la ia? <_e_es>",
        "neta alguien q sepa usar el undress bot?? es <_who_es>, foto abajo 👇",
        "quien se anima con <_who_es> <_e_es> hazla lewd plis 😈",
        "ALGUIEN?? <_who_es> sin nada puesto, pago bien <_e_es>",
    ],
    "fulfillment.delivery@es": [
        "listo 🔥", "aqui ta", "ahi ta wey", "ya quedo jajaja", "tomen 😈", "hecho, me tardé un buen",
        "{listo|ya|ahi esta} <_e_es>",
    ],
    "praise.generic@es": [
        "nmms que buena 🔥", "eres un crack wey", "el mejor bro", "quedo brutal jajaja", "GOD",
        "que bestia, ni se nota q es ia", "te luciste carnal", "{crack|bestia|maquina} <_e_es>",
    ],
    "source_solicitation@es": [
        "pasame mas fotos de ella", "tienes una donde se vea la cara de frente?",
        "esa foto esta muy borrosa wey, otra?", "necesito mejores fotos bro",
        "mandame mas de su ig", "{no hay|tienes} otra con mejor luz? <_e_es>",
    ],
    "counter_speech@es": [
        "wey esto es ilegal", "son mujeres reales no mamen", "ella no dio permiso, reportado",
        "que asco la neta, los voy a reportar", "imaginate q le hagan esto a tu hermana",
        "no manches esto es acoso, reportado 🚩",
    ],
    "other.chatter@es": [
        "buenas gente", "alguien vio el partido ayer?", "que aburrido esta el grupo hoy jajaja",
        "ya es viernes 🙏", "nuevo hilo cuando", "xd", "buenos dias banda <_e_es>",
        "me dormi a las 5 otra vez 💀",
    ],
    "other.sexist@es": [
        "las mujeres no saben manejar jajaja", "todas las morras son iguales wey",
        "ella se cree un 10 y es un 5", "las viejas solo quieren dinero",
        "pura interesada en tinder", "las morras de hoy 🤡",
        "{las morras|las viejas|las mujeres} "
        "{son bien interesadas|no saben lo q quieren|todas iguales} <_e_es>",
    ],
    # ---- Portuguese (BR)
    "request.open@pt": [
        "mano alguém tira a roupa da $name pfv 🙏 <_e_pt>",
        "<_who_pt>\nalguém faz um nude dela com ia? <_e_pt>",
        "quem consegue deixar <_who_pt> peladinha <_e_pt> 😈",
        "slk preciso da $name sem roupa mano 😭",
        "alguém passa <_who_pt> no bot de tirar roupa? {pfv|por favor|pls} <_e_pt>",
        "faz aquele edit safado na $name {ai|aí} mano <_e_pt>",
        "<_who_pt>\nmanda o tratamento nela 😈😈",
        "ALGUÉM?? <_who_pt> versão nsfw, eu pago <_e_pt>",
    ],
    "fulfillment.delivery@pt": [
        "pronto 🔥", "tá aí", "toma kkkk", "feito mano", "demorou mas saiu", "aí ó 😈",
        "{pronto|feito|taí} <_e_pt>",
    ],
    "praise.generic@pt": [
        "mano q isso 🔥🔥", "brabo demais", "monstro kkkk", "ficou perfeito slk", "vc é foda mano",
        "pprt ficou real demais", "{brabo|monstro|lenda} <_e_pt>",
    ],
    "source_solicitation@pt": [
        "manda mais foto dela", "tem alguma com o rosto de frente?", "essa tá muito borrada mano",
        "preciso de foto melhor", "tem de corpo inteiro?",
        "{manda|tem} mais foto do insta dela? <_e_pt>",
    ],
    "counter_speech@pt": [
        "mano isso é crime", "são mulheres reais porra", "ela não consentiu nisso, denunciado",
        "vcs são doentes, nada engraçado", "imagina fazerem isso com tua irmã",
        "denunciei o grupo, bando de esquisito",
    ],
    "other.chatter@pt": [
        "bom dia grupo", "alguém viu o jogo ontem?", "grupo morto hj kkkk", "sextou 🍻",
        "tô sem sono", "kkkkkkk", "fala rapaziada <_e_pt>", "acordei 3 da tarde mano 💀",
    ],
    "other.sexist@pt": [
        "mulher no volante perigo constante kkkk", "toda mina é igual mano",
        "ela se acha demais e é mó mid", "mulher só quer saber de dinheiro",
        "as do tinder são tudo interesseira", "as mina de hj 🤡",
        "{as mina|mulher|as mulher} {só quer dinheiro|não sabe o q quer|é tudo igual} <_e_pt>",
    ],
    # ---- German
    "request.open@de": [
        "digga kann jemand $name ausziehen 🙏 <_e_de>",
        "<_who_de> 👀 wer macht die nackt mit ki",
        "alter ich brauch $name ohne klamotten 😭 bitte",
        "<_who_de>\njemand bock auf nen spicy edit? <_e_de>",
        "<_who_de>, bruder mach mal dein ding bei ihr 😈 bitte",
        "wer hat den undress bot? <_who_de>, bild unten 👇",
        "{bitte|bitteee} jemand <_who_de> {lewd machen|nsfw machen|ausziehen} <_e_de>",
        "EHRENMANN GESUCHT: <_who_de> ohne alles, zahl auch <_e_de>",
    ],
    "fulfillment.delivery@de": [
        "fertig 🔥", "hier bitte", "da hast du", "bitteschön digga", "hat gedauert aber hier",
        "erledigt ✅", "{fertig|hier|da} <_e_de>",
    ],
    "praise.generic@de": [
        "ehrenmann 🔥", "krass gut digga", "alter wie geil ist das", "bester mann",
        "sieht voll echt aus wallah", "W bruder", "{ehrenmann|legende|maschine} <_e_de>",
    ],
    "source_solicitation@de": [
        "schick mehr bilder von ihr", "hast du eins wo man das gesicht von vorne sieht?",
        "das bild ist zu unscharf digga", "brauch bessere bilder",
        "gibts eins in besserer qualität?", "{hast du|gibts} noch mehr von ihrem insta? <_e_de>",
    ],
    "counter_speech@de": [
        "alter das ist strafbar", "das sind echte frauen digga", "sie hat nie zugestimmt, gemeldet",
        "ihr seid so cringe, ich meld den chat",
        "stell dir vor das macht jemand mit deiner schwester",
        "digga was stimmt nicht mit euch, reported",
    ],
    "other.chatter@de": [
        "moin leute", "wer hat gestern das spiel gesehen", "gc ist heute tot alter",
        "endlich freitag", "bin so müde digga", "lol", "na was geht <_e_de>",
        "hab wieder bis 4 gezockt 💀",
    ],
    "other.sexist@de": [
        "frauen können nicht einparken lol", "alle weiber sind gleich digga",
        "die hält sich für ne 10 ist aber ne 5", "frauen wollen eh nur geld",
        "tinder frauen sind alle gleich", "moderne frauen 🤡",
        "{frauen|weiber|die meisten frauen} "
        "{wollen nur geld|wissen nie was sie wollen|sind alle gleich} <_e_de>",
    ],
}

# fmt: on

# --------------------------------------------------------------------------------------------
# style: how these people type
# --------------------------------------------------------------------------------------------
_PROTECTED = re.compile(r"[/@\[\]\d$]|\w\.\w|:")
_ALPHA = re.compile(r"^([A-Za-z']+)([^A-Za-z']*)$")
# fmt: off
_SHORTEN = {
    "you": "u", "your": "ur", "you're": "ur", "youre": "ur", "are": "r", "though": "tho",
    "because": "bc", "people": "ppl", "with": "w", "really": "rly", "something": "smth",
    "probably": "prob", "okay": "ok", "thanks": "thx", "please": "pls", "tonight": "2nite",
    "about": "abt", "why": "y", "know": "kno", "going": "goin",
}
_STRETCH = re.compile(r"[aeiouyhs]$")
_STRETCHY = frozenset(
    "bro pls plz please so yes omg why guys chat help what wait fr lol lmao bump need mano digga "
    "wey alter hello hey yo ayo girl ok bruh damn goat crazy insane real this same here done "
    "finally cooked ate pretty thanks ty tysm yall who sheesh holy anyone someone now rn up "
    "jajaja kkkk bitte porfa plis pfv hi gm gn nah yeah yea".split()
)
_QUIET = frozenset(
    "a an the i my me of in on at is to and as or it so u w la de el le da do no na die der das "
    "und ist es en que q e o".split()
)
_POOLS = {
    "request": ["🙏", "😭", "👀", "😈", "🥺", "🙏🙏", "😩"],
    "praise": ["🔥", "👑", "🐐", "💯", "😩", "🔥🔥"],
    "counter_speech": ["🤨", "😐", "🚩", "🙄", "💀"],
    "other": ["💀", "😭", "🫠", "😂", "🤣", "💀💀", "😭😭"],
    "": ["💀", "😭", "🔥", "👀", "🫠", "😈"],
}
# fmt: on


def _pool(role: str) -> list[str]:
    for prefix, pool in _POOLS.items():
        if prefix and role.startswith(prefix):
            return pool
    return _POOLS[""]


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a finished post the way group-chat zoomers type."""
    parts = re.split(r"(\s+)", text)
    words = [i for i, p in enumerate(parts) if p and not p.isspace() and not _PROTECTED.search(p)]
    serious = role.startswith("counter_speech")
    capital = {i for i in words if parts[i][:1].isupper()}

    if rng.random() < 0.4:  # dont → dont
        for i in words:
            parts[i] = parts[i].replace("'", "").replace("’", "")
    if rng.random() < 0.35:  # you → u, because → bc ...
        for i in words:
            m = _ALPHA.match(parts[i])
            if m and m.group(1).lower() in _SHORTEN and rng.random() < 0.7:
                parts[i] = _SHORTEN[m.group(1).lower()] + m.group(2)
    if rng.random() < 0.55:  # all lowercase, except links, handles, mentions
        for i in words:
            parts[i] = parts[i].lower()

    plain = [i for i in words if (m := _ALPHA.match(parts[i])) and "'" not in m.group(1)]
    last = plain[-1] if plain else -1
    if plain and rng.random() < 0.25:  # brooo, pleaseee, mayaaa
        cands = [
            i
            for i in plain
            if (m := _ALPHA.match(parts[i]))
            and _STRETCH.search(m.group(1))
            and (m.group(1).lower() in _STRETCHY or (i == last and len(m.group(1)) > 2))
        ]
        if cands:
            i = cands[rng.randrange(len(cands))]
            m = _ALPHA.match(parts[i])
            assert m is not None
            core = m.group(1)
            parts[i] = core + core[-1] * rng.randint(2, 4) + m.group(2)
    # typos and single-word caps leave names, towns and workplaces (capitalised) alone
    common = [i for i in plain if i not in capital]
    if common and rng.random() < 0.09:  # a typo: swapped, dropped or doubled letter
        cands = [i for i in common if len(parts[i]) >= 4 and parts[i].isalpha()]
        if cands:
            i = cands[rng.randrange(len(cands))]
            w = parts[i]
            j = rng.randrange(1, len(w) - 2)
            how = rng.randrange(3)
            if how == 0:
                parts[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            elif how == 1:
                parts[i] = w[:j] + w[j + 1 :]
            else:
                parts[i] = w[:j] + w[j] + w[j:]
    if common and rng.random() < 0.08:  # one word in caps: i NEED this
        cands = [i for i in common if parts[i].lower().strip(",.!?") not in _QUIET]
        if cands:
            i = cands[rng.randrange(len(cands))]
            parts[i] = parts[i].upper()

    out = "".join(parts)
    if len(out) < 70 and rng.random() < (0.03 if serious else 0.07):  # ALL CAPS burst
        out = "".join(
            p.upper() if p and not p.isspace() and not _PROTECTED.search(p) else p
            for p in re.split(r"(\s+)", out)
        )
    if rng.random() < 0.8:  # few full stops; sometimes a full stop becomes a new message
        split = rng.random() < 0.3
        out = re.sub(r"(?<=[A-Za-z)])\. +", "\n" if split else " ", out)
        out = re.sub(r"(?<=[A-Za-z])\.$", "", out)
    if "?" in out and rng.random() < 0.3:
        out = out.replace("?", "?" * rng.randint(2, 4), 1)
    tail = out[-1:] if out else ""
    if tail.isascii() and rng.random() < (0.12 if serious else 0.3):
        pool = _pool(role)
        out = out + " " + pool[rng.randrange(len(pool))]
    elif not serious and role.startswith(("other", "request")) and rng.random() < 0.05:
        out = out + " " + ("lol", "lmao", "fr", "ngl", "💀")[rng.randrange(5)]
    return out


FAMILY = Family(
    name="emoji_chat",
    banks={**_HELPERS, **_WHO, **_DETAIL, **_REQUEST, **_SUPPLY, **_TRADE, **_OTHER, **_FOREIGN},
    style=style,
    description="Telegram/Discord group chat: emoji-heavy zoomer slang, elongations, caps bursts, "
    "one-liners, @-mentions; es/pt/de posts in teen slang (wey, jajaja, kkkk, mano, digga, alter).",
)
