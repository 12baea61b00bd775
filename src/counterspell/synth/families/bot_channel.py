"""The ``bot_channel`` family: Telegram groups / Discord servers built around a "nudify" bot.

Register: short chat messages in a group that exists to feed an automated bot and a few paid
"editors". Admins post bot status, rules, price lists and backup links; regulars talk credits,
VIP tiers, presets and queue times; newbies ask how it works and complain about results (same
face on everyone, skin tone off, blurry). Slash-commands, some emoji, lowercase, dropped
apostrophes, "u"/"ur"/"pls". Requests are euphemistic ("run her through the bot", "do the
undress on her", "spicy edit") and never describe anything.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family

# fmt: off
_BANKS: dict[str, list[str]] = {
    # ------------------------------------------------------------------ private helpers
    "_hey": [
        "yo", "hey", "hi all", "sup", "@admin", "admins", "guys", "ok so", "hello", "gm",
        "anyone around?", "hey guys", "quick one,", "lads", "yo admin", "hey all 👋", "bro",
        "evening all", "hiii",
    ],
    "_pls": [
        "pls", "plz", "please", "🙏", "pls 🙏", "ty", "ty in advance", "would appreciate",
        "would owe u one", "🙏🙏", "thx", "pretty pls", "plsss",
    ],
    "_ask": [
        "run her through the bot", "run her thru the bot", "nude her", "undress her",
        "make her lewd", "do a spicy edit of her", "do the undress on her",
        "do your thing on her", "give her the full treatment", "put her through /undress",
        "take it all off", "make her less dressed", "nudify her", "run her on HD",
        "do her on the {realistic|natural|v3} preset", "get her out of those clothes",
        "do a clean run of her", "do the no-clothes version", "run her on VIP mode",
        "{send|throw} her through the bot", "do the thing on her {lol|😏|}",
    ],
    "_ask_noun": [
        "a spicy edit", "the treatment", "the full treatment", "an undress", "a run",
        "a lewd version", "the no-clothes version", "an HD run", "a nudify", "a clean one",
        "the spicy version", "the bot treatment", "a VIP run", "an unclothed version",
    ],
    "_emo": ["🔥", "😈", "👀", "😏", "🙏", "💯", "🥵", "😮‍💨", "👑"],
    "_bot": [
        "the bot", "bot", "the new bot", "the v2 bot", "the backup bot", "the mirror bot",
        "main bot",
    ],
    "_cred": ["credits", "credits", "tokens", "coins", "gems"],
    "_tier": ["VIP", "VIP+", "gold tier", "premium", "diamond", "VIP"],
    "_preset": ["realistic", "natural", "HD", "soft", "v3", "pro", "ultra"],
    "_issue": [
        "same face on everyone", "skin tone way off", "blurry af", "hands melted",
        "tattoos gone", "plastic looking skin", "background all warped", "face changed",
        "weird lighting", "a watermark on it", "extra fingers", "a grey blob where the bg was",
    ],
    "_local": [
        "comfyui", "comfy", "a1111", "forge", "fooocus", "invokeai", "sd 1.5", "sdxl",
    ],
    "_crypto": ["btc", "ltc", "usdt", "eth", "xmr", "sol", "usdt trc20"],
    "_src": [
        "her ig", "her story", "her fb", "her tiktok", "her linkedin", "her vsco",
        "the group chat", "her close friends story", "her snap story", "her old fb album",
    ],
    "_lol": ["lol", "lmao", "💀", "😂", "lmaooo", "haha", "kek", "xd"],
    "_fr": ["", "", "", " lol", " fr", " tbh", " ngl", " 💀", " smh", " lmao"],
    "_lead": ["", "", "", "", "ngl ", "bro ", "lol ", "honestly ", "fr ", "ok ", "man "],
    "_time": [
        "today", "tonight", "all day", "since yesterday", "this morning", "again", "rn",
        "for like 3 hours", "all week",
    ],
    "_grp": [
        "the old group", "the backup", "the mirror", "the vip channel", "the old server",
        "the main chat", "the tg", "the discord",
    ],
    # foreign helpers
    "_who_es": [
        "mi compañera de trabajo $name", "mi ex $name", "una de mi facu, $name",
        "mi prima $name", "la novia de mi amigo", "$name, una del gym", "esta chava del trabajo",
        "una streamer, $name", "una morra que vi en ig", "mi vecina $name",
        "la cuñada de un compa",
    ],
    "_who_pt": [
        "minha colega de trampo $name", "minha ex $name", "uma mina da facul, $name",
        "minha prima $name", "a mina do meu amigo", "$name da academia", "essa aqui do insta",
        "uma streamer, $name", "uma vizinha minha", "a crush do meu primo kkk",
    ],
    "_who_de": [
        "meine Arbeitskollegin $name", "meine ex $name", "eine aus meinem Seminar, $name",
        "meine cousine $name", "die Freundin von nem Kumpel", "$name aus dem Gym",
        "eine Streamerin, $name", "so eine von insta", "die Nachbarin",
        "die neue bei uns im büro",
    ],
    # ------------------------------------------------------------------ who
    "who.coworker": [
        "$name from work", "this girl from my office, $name", "my coworker $name",
        "$name who sits next to me at work", "my {supervisor|boss} $name",
        "new girl at work{, $name|}", "$name from {accounting|hr|marketing|the front desk|sales}",
        "a co-worker of mine", "my manager $name", "the receptionist at my job ($name)",
        "$name, we work the same shift", "a coworker{ ($name)|}", "my team lead $name",
        "{girl|chick} from my work", "the {intern|new hire} at my job{, $name|}",
        "$name from the {warehouse|office|store|clinic}",
    ],
    "who.classmate": [
        "$name from my {stats|econ|chem|psych|law} class", "{a|this} girl in my lecture, $name",
        "my lab partner $name", "$name from uni", "a girl from my {seminar|tutorial}",
        "a classmate from college", "$name from my study group", "my project partner $name",
        "{the|a} girl who sits in front of me in {lecture|org chem|the 9am}",
        "$name, she's in my {course|program|cohort}", "this girl from my uni{ ($name)|}",
        "$name from {my dorm floor|the library|my night class}",
    ],
    "who.ex": [
        "my ex", "my ex $name", "my ex gf", "$name, my ex", "my ex-girlfriend",
        "the ex ($name)", "my ex wife", "this ex of mine", "$name. ex. long story",
        "my crazy ex", "my ex{ $name|} who cheated", "my ex {from college|from last year|$name}",
        "{the|my} ex that dumped me{ ($name)|}",
        "{my|this} ex {$name|from {college|uni|2 years ago|my old job}}",
    ],
    "who.family": [
        "my cousin $name", "my step sis", "my sister in law $name", "my brother's wife",
        "stepsister $name", "my cousin's wife", "my {step sister|stepsis} $name",
        "$name, my {cousin|sister in law}", "my wife's sister", "my step mom",
        "my {older|second} cousin{ $name|}", "my brother's {gf|fiancee}{ $name|}",
        "my {cousin|step sister|sister in law} {on my {mom's|dad's} side|from out of town}",
    ],
    "who.acquaintance": [
        "my buddy's gf $name", "a girl from my gym", "my neighbour $name", "friend of a friend",
        "my best mate's girlfriend", "$name from the gym", "a girl from church",
        "my roommate's sister", "the barista at my {coffee place|cafe}, $name",
        "{a|this} girl i know from {the gym|church|my old job|the bar}", "my friend $name",
        "$name, my {neighbor|neighbour} across the hall", "my {landlord's|dentist's} daughter",
        "$name from {my running club|yoga|the climbing gym|the dog park}",
    ],
    "who.public_figure": [
        "this {twitch|tiktok|yt} streamer $name", "an influencer, $name",
        "the weather girl on our local news, $name", "{a|this} small fitness influencer $name",
        "$name the {cosplayer|streamer|tiktoker}", "{our|the} local news anchor $name",
        "that girl from the {podcast|morning show}", "the {kick|twitch} streamer $name",
        "a youtuber i watch ($name)", "{an|this} e-girl streamer $name",
        "{tiktok|insta} model $name",
        "$name, {a|the} {singer|radio host|gamer girl} from {tiktok|yt}",
    ],
    "who.stranger": [
        "some girl i saw on the {train|bus|subway}", "{a|some} random girl from ig",
        "this girl off tiktok", "a girl from my {feed|fyp|explore page}",
        "a girl i found on {reddit|insta}", "dont know her, found her on {insta|fb}",
        "a random from a dating app", "a girl at my {bus stop|coffee shop|gas station}",
        "a girl from {hinge|tinder|bumble}", "some chick i saw at the {mall|beach|airport}",
        "random girl, no idea who she is", "{this|some} girl who {liked|commented on} my post",
    ],
    # ------------------------------------------------------------------ details
    "detail.handle": [
        "ig: $handle", "her insta is @$handle", "@$handle on {ig|insta}", "tiktok @$handle",
        "her @ is $handle {(insta)|on tiktok|on ig}", "pics on her ig $handle",
        "more on her {ig|tiktok|vsco} @$handle", "{acc|her acc}: $handle",
        "$handle on insta, {its public|not private}", "{snap|sc} is $handle",
        "{insta|ig} -> $handle", "her twitter is $handle",
    ],
    "detail.doxx.work": [
        "works at $employer", "she's at $employer in $town",
        "works {reception|the front desk|the counter} at $employer", "$employer, $town branch",
        "she's on the $employer team page {lol|}", "works at $employer ($town)",
        "u can find her on the $employer website", "{nurse|assistant|cashier} at $employer",
        "$employer in $town, {day|night} shift", "{she works|works} at $employer{ in $town|}",
        "$employer, {she's always there on weekends|she's the one at the desk}",
    ],
    "detail.doxx.school": [
        "goes to $school", "she's at $school", "{2nd|3rd} year at $school",
        "studying {nursing|business|law|psych} at $school", "$school student",
        "in my class at $school", "grad student at $school", "final year at $school (uni)",
        "we both go to $school", "$school, same dorm as me", "$school, {masters|phd} student",
    ],
    "detail.doxx.home": [
        "lives in $town", "from $town", "$town girl", "lives {near|around} $town",
        "she's in $town if anyone knows her", "$town area", "{lives|stays} in $town",
        "{local|from} $town", "$town, {east|west|north} side",
        "anyone from $town {will know her|knows her}", "moved to $town last year",
    ],
    "detail.doxx.school_minor": [
        "goes to $school, she's a {sophomore|junior}", "$school (high school)",
        "{10th|11th} grade at $school", "still at $school, the high school",
        "year {10|11} at $school", "$school, class of {2027|2028}, still in hs",
        "sixth form at $school", "$school, {8th|9th} grade", "she's in hs at $school",
        "{freshman|sophomore} at $school", "$school hs{, {10th|11th} grade|}",
    ],
    "detail.minor": [
        "she's {15|16|17}", "{16|17} btw", "she's in year {10|11}", "junior in high school",
        "still in hs", "turns 18 next year", "she's a sophomore", "not 18 yet",
        "hs senior, 17", "just started {10th|11th} grade", "she's still in high school",
        "{she's|shes} {15|16|17} {btw|fyi}",
    ],
    "detail.nc": [
        "she doesnt know obv", "her acc is private, got these from a friend",
        "she'd never send so", "she'd kill me {lol|if she knew}", "pics from her private story",
        "she blocked me so", "keep it quiet, she can't find out", "she'd never do it herself",
        "got these off her close friends story", "she has no clue this group exists",
        "private acc, screenshotted before she removed me",
        "{she doesnt|she'd never} know {lol|obviously|}",
    ],
    "detail.pay": [
        "will pay $$amount", "$$amount for it", "can send $$amount in <_crypto>",
        "tipping $$amount", "$$amount paypal or crypto", "i'll throw in $$amount",
        "will cover $$amount worth of <_cred>", "$$amount to whoever does it",
        "$$amount if it comes out clean", "paying $$amount, serious", "$amount bucks for it",
        "$$amount {upfront|after} if u want",
    ],
    # ------------------------------------------------------------------ requests
    "request.open": [
        "<_hey> {can|could} someone <_ask> {<_pls>|}? $who<_x>",
        "$who\n$extras\n<_ask> <_pls>",
        "out of <_cred> 😩 anyone w {VIP|credits} able to <_ask>? $who<_x>",
        "bot keeps saying no face detected on this one, can an admin <_ask> manually? $who<_x>",
        "first time here, how do i get the bot to <_ask> {lol|}. its $who<_x>",
        "{requesting|req}: $who\n$extras\nwant <_ask_noun>",
        "@admin {customs open?|u doing customs?} need $who done<_x>",
        "{pls|plz} someone do $who, {take it all off|full undress|everything off} "
        "{if possible|}<_x>",
        "anyone wanna <_ask> for me? bot wont take my pic. $who<_x>",
        "{need|want} <_ask_noun> of $who {asap|}<_x>",
        "$who<_x>\n\nwant to see her without the clothes, can someone run it",
        "sent $who to the bot but it came out {blurry|with the same face as everyone}, can "
        "someone with HD mode <_ask>?<_x>",
        "{ok|so} this is $who, pics attached. <_ask> and i'll vouch<_x>",
        "can anyone <_ask>? only got like {2|3} pics. its $who<_x>",
        "🙏 <_ask> 🙏\n$who\n$extras",
        "been wanting this forever {lol|}. $who<_x>\nmake her lewd {pls|}",
        "u guys doing requests today? {spicy|lewd} version of $who<_x>\n<_pls>",
        "faceswap $who onto one of the {presets|bot bodies} {pls|}<_x>",
        "can u guys make $who less dressed {lol|😏}<_x>",
        "my turn: $who<_x>\nthe treatment <_pls>",
        "is the bot able to do this one? {its a mirror pic|she's kinda side on}. $who<_x>",
        "whoever has <_cred> left: $who<_x>\n<_ask> and i'll tip",
        "{dm'd|messaged} the admin but no answer so posting here. <_ask_noun> of $who"
        "<_x>",
        "{any editors on?|any editors awake?} got $who for u, {do ur thing|do your thing} "
        "on her<_x>",
        "/undress\n$who\n$extras",
        "queue is dead so asking here: <_ask>? $who<_x>",
        "{bot did a shit job|bot version was trash} on $who<_x>\ncan a real editor <_ask> "
        "<_pls>",
        "need this one bad 😮‍💨 <_ask_noun> of $who<_x>",
        "vip here, can i get priority on $who? <_ask><_x>",
        "who can <_ask>? $who<_x>",
        "$who<_x>\n\n^ <_ask_noun> {pls|anyone}",
        "$who\n$extras\nwhat would the bot do w her 😏 someone run it",
    ],
    "_x": ["\n$extras", "\n$extras", "\n$extras", ". $extras"],
    "request.bump": [
        "bump", "up", "^", "bumping", "anyone?", "still waiting on mine", "bump <_pls>",
        "any1??", "admin??", "⬆️", "still need this", "no one? 😢", "bump, will tip",
        "up up", "still in {queue|the queue}?", "🆙", "{bump|up} {x2|x3|again}",
        "{been|its been} {2 days|a week|hours} {lol|😩|}", "did anyone {see|get} mine?",
        "{bump|^} {my req|my request|mine} above",
    ],
    "request.bump_name": [
        "still need $name done", "{bump|up} for $name", "$name {pls|plz} anyone",
        "anyone do $name yet?", "$name 🙏", "did anyone get to $name{ yet|}",
        "still looking for a $name run", "is $name still in the queue?", "re: $name, bump",
        "$name?? 😩", "{bump|up} $name, got more pics if needed", "$name {still|} pending {lol|}",
        "admin did $name go thru?",
        "{bump|up|^} {for|on} $name<_fr>", "{anyone|any editors} {doing|on} $name{?|??|<_fr>}",
    ],
    "request.more_pic": [
        "another one from {her ig story|her beach trip|her insta}",
        "here's a better one, from {her story|her cousin's wedding|the work christmas party}",
        "this one's clearer, from {her fb|her linkedin|her tiktok}",
        "more front facing, off {her story|her ig|her snap}",
        "found one from a {lake|beach|pool} day", "one more, from {graduation|a work event}",
        "from her close friends story 👀", "better lighting in this one, {gym mirror pic|her bday}",
        "this is from our {office party|team lunch|bbq}",
        "ok this one's from her vsco, {full body|better angle}",
        "got another, from {her fb album from 2019|her old tumblr|her linkedin pfp}",
        "+1 pic, {her holiday|a festival|her trip to spain} post",
        "{here|try this one}, off <_src>{, should be clearer|}",
    ],
    "request.nothing_public": [
        "thats all she's got, acc's private", "only pics i have sorry",
        "her {ig|insta} is private so this is it", "nah thats the only one", "she barely posts",
        "no better ones, she doesnt post face pics much", "cant get more, she blocked me",
        "only have group pics, cropped her out", "her profile is locked",
        "this is literally it {lol|💀}",
        "nothing front facing, she always does the side angle thing",
        "she deleted everything {lol|after the breakup|last month}",
        "{all|every} pic she has is {filtered|with sunglasses}, sorry",
        "{sorry|nah|nope}, {thats all|only got these|nothing else}"
        "{, she's private|, acc is locked|}",
    ],
    "request.insist": [
        "relax its fake", "its AI bro nobody gets hurt", "not ur business, still want it",
        "its literally a bot whats the issue", "mind ur own, anyone else?",
        "she'll never see it {chill|relax|lol}", "whatever, still need it done",
        "ok moral police. anyone actually gonna run it", "its not real, calm down",
        "cry about it. bump", "why are u even in this group then {lol|}. still want her done",
        "nobody asked. <_ask> pls", "{bro|dude} its pixels. {bump|anyone?}",
        "{u|you} joined a bot group to preach? {lmao|lol}. still want it",
    ],
    "request.second": [
        "this", "+1", "same", "would like to see too", "seconding", "following",
        "interested 👀", "me too <_pls>", "+1 would pay", "waiting on this too", "👀 same",
        "up, want this too", "+1 🔥", "this one pls", "{+1|this}{,| } {chipping in|i'll tip too}",
        "{same|+1}, {been wanting her|she's been on my list}",
        "{+1|same|this}{ 👀| 🔥| pls}",
    ],
    "request.repeat": [
        "anyone ever do $name from {last week|<_grp>}?",
        "whoever did $who in <_grp>, u still got it?",
        "the $name one from before the ban wave, anyone save it?",
        "re-requesting $who, old one got deleted",
        "someone did $name in <_grp>, can u repost or rerun",
        "was $who ever done? asked {a few weeks|a while|a month} back",
        "asked for $name before the group got nuked, still want it",
        "$who again pls, last run was the blurry version",
        "did $name ever get done on the new bot?",
        "requested $who in <_grp>, never got it",
        "$name from thread $n, anyone?", "{re-up|rerun} on $who? old link's dead",
    ],
    # ------------------------------------------------------------------ fulfilments
    "fulfillment.delivery": [
        "here", "done", "✅", "here u go", "done, took a while", "ran it, here", "done 👍",
        "there ya go", "yours", "HD version", "done on {v2|the new bot|HD}", "here bro",
        "delivered ✅", "ok here", "👇", "done, check dm for the full res",
        "{here|done}{,| -} {enjoy|ez|np}", "{took|cost} {3|4|5} tries but here",
        "ur {req|order} is done 👇",
    ],
    "fulfillment.remark": [
        "best i could, angle was rough", "skin tone came out off sorry",
        "bot gave her the same face as everyone lol had to fix it",
        "hands are messed, ignore", "quick inpaint, not great",
        "tattoo got lost, bot doesnt keep them", "lighting was bad in the source so its blurry",
        "ran it {3|4|5} times this was the cleanest",
        "used the <_preset> preset, better than fast mode",
        "had to do it local, bot wouldnt take it",
        "face drifted a bit, send a front-facing one for better",
        "did it in <_local> w a face restore pass", "bg is a bit warped but the face held",
        "watermark is because its the free tier", "cost me {4|6|8} <_cred> so u owe me lol",
        "first one came out cursed, this is take 2",
        "{free|fast} mode so its {a bit soft|low res}, vip gets HD",
        "bot gave her <_issue>{, best i could do|, sorry|}",
    ],
    # ------------------------------------------------------------------ distribution
    "distribution.invite": [
        "rest is here $invite", "backup channel: $invite",
        "bot mirror in case we get nuked: $invite", "join $invite for {full sets|the rest}",
        "{VIP|vip} channel {->|:} $invite", "new group after the ban: $invite",
        "customs go thru $invite", "full res drops in $invite", "dm me {here|} $invite",
        "if the bot's down use the mirror $invite", "save this link $invite",
        "📌 backup: $invite", "vouches channel $invite",
        "⚠️ main got reported, move to $invite", "bot 2 (faster queue) -> $invite",
        "old members re-join here $invite 🔁",
        "{we moved|moving} to $invite{, this one dies {tonight|tmrw}|}",
        "📢 new mirror $invite\n{join before this gets taken down|save it}",
        "{📌|📢|⚠️|} {backup|mirror|new link|vip|customs} {here|below|👇}{:| ->} $invite",
    ],
    "distribution.repost": [
        "reposting for those who missed", "reup from {the old group|<_grp>}",
        "repost since the other got deleted", "for the new ppl", "old batch, reposting",
        "from the last channel 🔁", "someone asked for these again",
        "dropping the old ones here", "repost, credit to whoever ran it",
        "again for the people who joined {today|this week}", "repost from before the ban 🔁",
        "saved these before the old group died", "re-up, links in the old one are dead",
        "throwback from thread $n", "reposting {1|2|3} of $n", "for the guy asking earlier",
        "{🔁|♻️} {oldies|old runs} from <_grp>",
    ],
    "distribution.pointer": [
        "full set is in the VIP channel", "rest is in the backup", "check the pinned",
        "its all in the other tg", "the discord has the rest", "uncropped in vip",
        "more on the mirror", "check the mega in pins",
        "rest got posted in the vouch channel lol", "look in the archive channel",
        "the rest is in the private group, ask admin", "full res only on the backup server",
        "the uncensored ones are in the other channel", "{its|it's} on the kik group",
        "check the session group, we post there now", "all of them are in the drive in pins",
        "{HD|full res} versions are {vip only|in <_grp>}",
        "{rest|full set|the HD ones|uncropped} {is|are} {in|on} "
        "{the vip channel|the backup|the mirror|the other tg|the discord|the kik group}<_fr>",
    ],
    # ------------------------------------------------------------------ praise
    "praise.generic": [
        "bot is cooking {today|tonight|rn}", "goated", "clean af",
        "this came out {so good|crazy|perfect}", "admin never misses",
        "best editor here fr", "{ngl|honestly} that's perfect",
        "damn the HD mode is actually good", "v2 is so much better than the old one",
        "no way the bot did that <_emo>", "insane work <_emo>",
        "legit the best group on {tg|telegram|discord}", "face is spot on this time",
        "u the goat", "that's {crazy|wild|scary} how real it looks",
        "{skin|lighting|face} is {perfect|so clean} on this one",
        "{worth|def worth} the <_cred>{ lol|}",
        "{damn|yo|holy} {thats|this is} {clean|perfect|insane}{ <_emo>|<_fr>}",
    ],
    "praise.thanks": [
        "ty!!", "thanks bro", "tysm <_emo>", "thank u admin 🙏", "appreciate it man",
        "legend thanks", "ty, vouch", "thx, sending a tip", "omg ty", "thank youuu",
        "perfect ty", "ty king 👑", "ur a legend thanks",
        "{ty|thanks} {man|bro|boss}, {exactly what i wanted|worth the wait}",
        "{vouch|+vouch} {ty|thanks} <_emo>",
    ],
    "praise.emoji": [
        "🔥", "🔥🔥🔥", "👑", "🙏", "💯", "😈🔥", "🐐", "👀🔥", "🥵", "🙏👑", "🔥 <_emo>",
        "😮‍💨", "❤️‍🔥", "<_emo><_emo>", "🔥🔥", "👏👏", "goat 🐐",
    ],
    # ------------------------------------------------------------------ other roles
    "source_solicitation": [
        "need a clearer pic, front facing", "got anything where she's facing the camera?",
        "send one clear front-facing pic", "need better lighting, this one's too dark",
        "any full body ones?", "bot needs a face it can see, send more",
        "this is too low res, got the original?", "no sunglasses pls, bot chokes on them",
        "more pics = better result, got her ig?", "need one where her hair isnt over her face",
        "screenshot of a screenshot wont work, need the og file",
        "got one without the filter? the dog ears mess it up {lol|}",
        "need a solo pic, bot grabs the wrong face in group shots",
        "send {2|3} more from <_src> and i'll try again",
        "{got|have u got} anything {brighter|less blurry|not from a mirror}?",
        "{this|that} angle won't work, {need|send} {one straight on|a face pic}",
        "{need|send|got} {a clearer|a better|a front facing|a higher res} {pic|one|shot}"
        "{?| pls| bro|}",
    ],
    "technical": [
        "{use|type} /credits to check ur balance, /buy to top up",
        "bot only works w one clear front-facing pic. no group shots, no sunglasses, no filters",
        "same face on every result = face restore on max. /settings -> face -> set to "
        "{low|off}",
        "skin tone off? pick the matching tone in /preset before u run it, default is "
        "{light|medium}",
        "blurry results come from low res source. use the original not a screenshot",
        "{fast|lite} mode is free but its {720p|low res}, HD costs {2|3} <_cred> per run",
        "tattoos get wiped by the bot, only way to keep them is inpainting local w a mask",
        "local > web tbh. <_local> + an inpaint model + ip-adapter for the face, no <_cred> "
        "no queue",
        "hands are always cooked, crop so they're out of frame or inpaint after",
        "lighting matters more than anything. daylight, facing the camera, no harsh shadows",
        "v2 has /mode {(realistic, anime, soft)|with 3 options}, realistic is the one u want",
        "if it says 'no face detected' the face is too small, crop closer and resend",
        "queue is slow rn bc of the update, <_tier> skips it",
        "mirror bot uses the same <_cred>, ur balance carries over",
        "anyone got a workflow json for comfy that keeps the face consistent? mine drifts "
        "every run",
        "use denoise {0.5|0.6|0.7} not 1.0 or it changes her whole face",
        "for face consistency do a faceswap pass at the end, fixes the same face for "
        "everyone thing",
        "/start again if the bot stops replying, it drops the session after {10|15} min",
        "dont send HEIC, bot chokes. convert to jpg first",
        "what gpu u running local? is {8|12}gb enough for sdxl inpaint?",
        "how does the bot work? do i just send the pic or type a command first",
        "is it /undress or /edit now? old command doesnt do anything",
        "why does mine come out {blurry|grey|with extra fingers} every time",
        "ran it on <_preset> and got <_issue>, what setting fixes that",
        "tip: upscale the source first w the free upscaler, bot likes 1024+",
        "web ones are just a wrapper over sd lol, run <_local> urself",
        "{bot|v2} ignores the second pic, it only reads the first one u send",
        "{new|v3} update: /preset now has {skin|body|lighting} options, /help for the list",
        "{got|getting} <_issue> on <_preset>, switched to {natural|soft} and its fine now",
        "anyone tried <_local> vs the bot? is local {worth the setup|actually better}",
        "/queue shows ur spot, dont resend or u lose {ur place|the <_cred>}",
        "where do i even type the commands, in the group or dm the bot?",
        "lowering {strength|denoise} helped w the <_issue> thing",
        "bot crops to square, so center her or it cuts the face off",
    ],
    "payment": [
        "📌 PRICES\n50 <_cred> - $$amount\n<_tier> month - $40\nlifetime - dm",
        "customs are $$amount each, dm for customs, no freebies",
        "<_crypto> only. send $$amount and screenshot the tx to admin",
        "<_tier> is $$amount/{month|mo}: priority queue, HD mode, no watermark",
        "tipped $$amount to the admin, vouch he delivers",
        "is $$amount for {100|200} <_cred> worth it or is <_tier> better?",
        "refer {3|5} friends with /ref and get $amount free <_cred>",
        "dont pay anyone $$amount in dms claiming to be admin, we only sell thru /buy",
        "paid $$amount {an hour ago|yesterday|this morning} and the <_cred> never came, "
        "admin??",
        "€$amount via paypal f&f ok?",
        "double <_cred> weekend: buy $$amount get 2x 🔥",
        "who takes cashapp? got $$amount but no crypto",
        "custom sets start at $$amount, bulk discount for {5|10}+",
        "$amount <_cred> left, enough for like {2|3} HD runs lol",
        "anyone selling <_cred> cheaper? $$amount is too much for me",
        "send $$amount in <_crypto> to the wallet in pins, then /redeem with the tx id",
        "tip jar is open, $$amount keeps the server running 🙏",
        "queue priority is $$amount extra per request",
        "upgraded to <_tier> for $$amount, queue is instant now {ngl|}",
        "how many <_cred> do u get for $$amount?",
        "{dm for customs|customs open}, $$amount {per pic|a set}, <_crypto> or {paypal|cashapp}",
        "{flash sale|promo}: <_tier> {lifetime|3 months} for $$amount {today only|this weekend}",
        "spent like $$amount on <_cred> this month {lol|💀|smh}",
    ],
    "counter_speech": [
        "these are real women, none of them agreed to this",
        "this is illegal in a lot of places btw, making it with a bot doesnt change that",
        "reported the {group|channel|server} to {telegram|discord}",
        "imagine doing this to someone u actually know. gross",
        "she's a real person with a job and a family, think for 2 seconds",
        "non consensual fake nudes are abuse, calling it AI doesnt make it ok",
        "leaving, this is disgusting. reported the bot too",
        "ppl have lost jobs over fakes like this. not a joke",
        "u wouldnt post this if she could see who asked",
        "screenshotting this chat for the report",
        "this group is going to get someone really hurt",
        "the women in these pics never said yes, thats the whole problem",
        "{how would u feel|imagine} if someone ran ur {sister|mom|daughter} through that bot",
        "{it's|this is} harassment, {fake or not|AI or not}. reported",
        "{this is|ur all} {sick|disgusting|pathetic}. {she|these women} never "
        "{consented|agreed to this}{, reported| and im reporting it|}",
    ],
    "counter_speech.minor": [
        "she's a kid. reported", "she said 16?? thats a minor, reporting this to "
        "{telegram|discord} and the police",
        "wtf she's in high school. reported", "admins ban him, thats a child",
        "thats a minor, reporting the whole group",
        "she's literally still in school, this is csam, reported to ncmec",
        "nope. under 18. reported and leaving", "year 11 means she's a kid u freak. reported",
        "reporting this, a high schooler is a child",
        "anyone who runs that is done. she's underage, flagged to the platform",
        "{hs|high school} = minor. {reported|flagged}, {admins do something|im out}",
        "{she's|thats} {a minor|underage|a child}{.|,} {reported|reporting} "
        "{to {telegram|discord|the police}|the group|it}",
    ],
    "other.chatter": [
        "gm everyone", "bot down {again|<_time>}?", "bot back up?",
        "anyone else's queue stuck{ lol|}", "new here 👋", "this group got big fast",
        "dead chat", "why is the bot so slow <_time> 😩", "whats everyone up to",
        "happy friday lads", "night all", "first msg here, hi",
        "been offline all week, what did i miss", "bot's been down {2|3|4} days smh",
        "lmao this chat at 3am", "who else is here from <_grp>",
        "ok the bot is back, nvm", "admin pls the bot is dead {again|<_time>}",
        "{bot|queue} {dead|slow} <_time><_fr>", "{wsg|whats good} {chat|everyone}",
        "{this|the} {group|chat} is {wild|chaos} <_time><_fr>",
    ],
    "other.meta": [
        "📌 RULES\n1. no minors, instant ban\n2. no spam\n3. dont dm members",
        "banned {2|3|5} scammers <_time>. admins will NEVER dm u first",
        "⚠️ fake admin going around asking for crypto. ignore and block",
        "hello fbi 👋", "anyone else think half this chat is cops {lol|}",
        "read the pinned before asking pls",
        "no selling in the main chat, use the market channel",
        "rule {3|4}: no posting real names. warned",
        "if u get a dm from 'support' its a scam, we dont have support",
        "muted for spam, dont make me ban u", "new mods{:|,} welcome them",
        "posting minors = permaban and reported, dont test us",
        "kicked inactive members, rejoin thru the pinned link",
        "{⚠️|‼️} {someone's|a guy is} cloning the group name, check the admin list",
        "{banned|removed} {him|that guy} for {begging|spamming|scamming}{, bye|}",
    ],
    "other.sexist": [
        "women only want guys w money, nothing new",
        "typical woman, ghosted me after i paid for dinner",
        "girls these days cant cook to save their life",
        "she's just a {6|5} who thinks she's a 10 bc of ig",
        "women shouldnt be allowed to drive ngl {lol|}",
        "female managers are the worst, change my mind",
        "every girl on {tinder|hinge|bumble} is the same",
        "she got the promotion bc she's a woman {lol|obviously}",
        "{chicks|women} love to complain about everything",
        "they all want a 6ft guy with a boat {lmao|lol}",
        "{women|girls} {cant|dont} {take a joke|handle banter}<_fr>",
        "{my ex|every woman} {is|was} {a walking red flag|pure drama}<_fr>",
    ],
    "other.lust": [
        "she's so {hot|fine} ngl", "i'd kill to see her without the uniform <_lol>",
        "bet she has an OF", "heard she sent pics to half the team",
        "that coworker of mine is unreal {😮‍💨|}", "wish i could see what she's hiding <_lol>",
        "she posts gym pics every day, she knows what she's doing", "she def sells content",
        "my neighbour is way too hot for this town", "the new barista 🥵",
        "heard her OF is like $5 <_lol>", "{that|this} girl is {unreal|a 10|dangerous}<_fr>",
        "{my|this} {coworker|neighbour|gym girl} {100%|def} has a spicy {acc|account}",
    ],
    "other.insult": [
        "cope", "touch grass", "ur so cooked bro", "ratio",
        "imagine being this mad at a chat", "ur the reason the bot is slow <_lol>",
        "no one cares pal", "L", "bro got banned twice <_lol>", "shut up newbie",
        "go back to reddit", "ur pfp is embarrassing", "seethe", "lil bro thinks he's admin",
        "{bro|lil bro|pal} really {typed that|said that}<_fr>", "{massive|huge} L<_fr>",
        "{go|pls} {touch grass|log off|shower}<_fr>",
    ],
    "other.sfw_edit": [
        "can someone remove the background from this pic? for my {cv|linkedin}",
        "can the bot do normal edits? want my car pic brightened",
        "restore this old photo of my grandparents? its all scratched",
        "anyone good at photoshop? need to remove my ex from a group photo <_lol>",
        "make this a meme pls, caption 'when the bot is down'",
        "can u fix the lighting on my profile pic, its too dark",
        "need my dog photoshopped into a superhero suit{ lol|}",
        "upscale this blurry pic of my family from {2005|2009}?",
        "remove the watermark from my own wedding pics, photographer ghosted us",
        "can someone cartoonify my pfp", "need a logo for my gaming clan, paying {$5|$10}",
        "{can someone|anyone able to} {colorize|sharpen|straighten} this {old|blurry} pic of "
        "my {grandad|dad|house}?",
        "{swap|change} the {sky|background} on my {holiday|car} pic? {no rush|ty}",
    ],
    "other.age": [
        "im {19|22|24|31} btw, not a fed <_lol>",
        "my little sister starts year 7 tomorrow, had to buy her uniform",
        "my nephew turned {7|8|9}, got him a switch", "this is my own baby photo from 98 lmao",
        "my daughter has a school play tonight so im afk",
        "the young lady at the bank was so nice today",
        "my mom is {50|55|60} and still on fb 24/7",
        "helping my kid with {4th|5th} grade math is humbling",
        "teacher appreciation day, got my son's teacher a mug",
        "i was in grade 9 when the first iphone came out, im old",
        "my niece's graduation is this weekend",
        "{my|our} {son|daughter|kid} {lost a tooth|started kindergarten} <_time><_fr>",
        "turning {30|40} next month {lol|😭}, feel ancient",
    ],
    "other.game": [
        "school uniform skin in {genshin|blue archive} is fire", "waifu tier list when",
        "every gacha has the same loli mage archetype {lol|}",
        "year 7 dungeon is bugged again", "anyone play valorant tonight?",
        "new anime season is mid", "pulled for the new banner and lost 50/50 💀",
        "best waifu is obviously the tsundere one",
        "bought the maid outfit skin for my main, worth it", "elden ring dlc was hard af",
        "who's watching the new {jjk|frieren|one piece} ep",
        "{anyone|who} {up for|playing} {cod|apex|fortnite|league} <_time>?",
        "{best girl|my waifu} {got|is getting} a {new skin|rerun banner}<_fr>",
    ],
    "other.question": [
        "who is she?", "sauce?", "what bot is this", "is this the main group or a mirror?",
        "who's the girl in the pfp", "what happened to the old channel?",
        "is the admin a bot {lol|}", "what does VIP even do",
        "how long has this group been up", "where'd everyone go",
        "is this the same admin as the old group?", "anyone know if the bot is legit",
        "{who|whos} {is|was} that {in the pinned|in the last pic}?",
        "{wait|ok} {is|was} {this|that} {the main|the backup}?",
        "{who|whos} {is|was} {she|that|the girl in the last pic}{ lol| tho|?|}",
    ],
    # ------------------------------------------------------------------ Spanish
    "request.open@es": [
        "alguien me la pasa por el bot? es <_who_es>\n$extras",
        "{porfa|plis|xfa} desnuden a <_who_es> 🙏\n$extras",
        "me quede sin creditos 😩 alguien con VIP le hace la edit picante? es <_who_es>",
        "<_who_es>\n$extras\nquiero la version sin ropa, pago bien",
        "quien me hace esta? el bot no me agarra la foto. es <_who_es>",
        "pasen por el bot a <_who_es> porfa, con el preset realistic",
        "admin hacen customs? necesito una sin ropa de <_who_es>\n$extras",
        "alguien q tenga creditos y me quite la ropa de esta? {jaja|xd} es <_who_es>",
    ],
    "fulfillment.delivery@es": [
        "listo", "aqui ta", "ahi va", "hecho, tardó un rato", "ya quedó 🔥", "toma bro",
        "listo ✅", "{ahi|aca} esta {bro|wey|}", "ya salio, {en HD|tardo un chingo}",
    ],
    "praise.generic@es": [
        "que crack", "quedo brutal bro", "el bot esta on fire hoy", "10/10 admin",
        "nivel dios 🔥", "que buena calidad wey", "el mejor grupo de tg",
        "{uff|nmms} {quedo|salio} {perfecta|bien real}", "{eres|sos} un {crack|capo} {bro|}",
    ],
    "source_solicitation@es": [
        "manda una foto de frente bien clara", "tienes otra con mejor luz?",
        "necesito una donde se le vea la cara", "esa esta muy borrosa, no tienes la original?",
        "pasame su ig y saco mas fotos", "sin lentes porfa, el bot no la lee",
        "{mandame|pasame} {otra|mas} {de frente|sin filtro} {porfa|bro}",
    ],
    "counter_speech@es": [
        "esto es asqueroso, son mujeres reales", "eso es delito, los voy a reportar",
        "ella nunca dio su consentimiento, que les pasa", "reportado el grupo a telegram",
        "imaginate que le hagan eso a tu hermana", "me salgo, que asco de grupo",
        "{esto|eso} es acoso {aunque sea IA|aunque sea fake}, {reportado|ya lo reporte}",
    ],
    "other.chatter@es": [
        "el bot se cayó otra vez?", "buenas noches grupo", "alguien de {mexico|chile|argentina}?",
        "que onda a todos", "este grupo esta muerto hoy", "ya volvio el bot? 😩",
        "hola soy nuevo", "{buenas|wenas} {gente|banda}, {que tal|como van}",
    ],
    "other.sexist@es": [
        "las mujeres solo quieren dinero", "típico de ellas, te dejan en visto",
        "las de hoy no saben ni freir un huevo", "todas son iguales bro",
        "una mujer de jefa es lo peor que hay", "{las viejas|las morras} {de hoy|de tinder} "
        "solo quieren {lana|un vato con carro}",
    ],
    # ------------------------------------------------------------------ Portuguese
    "request.open@pt": [
        "alguém passa essa no bot? é <_who_pt>\n$extras",
        "faz essa {pfv|pf|por favor} 🙏 <_who_pt>\n$extras",
        "tira a roupa dela aí mano kkkk é <_who_pt>",
        "tô sem crédito, alguém roda essa pra mim? é <_who_pt>",
        "manda ver nessa, versão sem roupa. <_who_pt>",
        "admin tá fazendo custom? quero uma edit picante, é <_who_pt>\n$extras",
        "<_who_pt>\n$extras\nalguém deixa ela peladinha no bot? kkkk",
        "bot tá travando, alguém com vip faz essa? <_who_pt>",
    ],
    "fulfillment.delivery@pt": [
        "tá aí", "pronto", "feito mano", "aí ó", "saiu, demorou mas saiu", "toma ✅",
        "entregue", "{tá aí|aí} {mano|parça|irmão}", "feito, {em HD|deu trabalho} kkk",
    ],
    "praise.generic@pt": [
        "ficou perfeito", "brabo demais", "mlk é monstro", "top dms 🔥",
        "o bot tá voando hoje", "melhor grupo do tg", "ficou mt real kkkk",
        "{caralho|nossa} {ficou|saiu} {perfeito|mt bom}", "{admin|mano} {é brabo|é foda} 👑",
    ],
    "source_solicitation@pt": [
        "manda uma de frente", "tem alguma com luz melhor?", "essa tá mt escura mano",
        "preciso de uma q dê pra ver o rosto", "passa o insta dela q eu pego mais",
        "sem óculos pfv, o bot buga",
        "{manda|tem} {outra|mais uma} {sem filtro|de frente}{?| pfv}",
    ],
    "counter_speech@pt": [
        "isso é crime, vou denunciar", "são mulheres reais mano, pqp",
        "ela nunca autorizou isso", "denunciei o grupo no telegram",
        "e se fizessem isso com tua irmã?", "nojento, saindo daqui",
        "{fake ou não|IA ou não}, isso é assédio. {denunciado|vou denunciar}",
    ],
    "other.chatter@pt": [
        "bom dia grupo", "bot caiu de novo affs", "alguém do {rj|sp|nordeste}?",
        "eae galera", "grupo morto hj", "voltou o bot?", "sou novo aqui salve",
        "{salve|fala} {rapaziada|galera}, {tudo certo?|como vcs tão}",
    ],
    "other.sexist@pt": [
        "mulher é tudo igual", "só querem saber de dinheiro",
        "típico de mulher, some do nada", "mulher no volante perigo constante kkkk",
        "chefe mulher é foda viu", "{as minas|mulher} de hoje {só quer|só pensa em} "
        "{dinheiro|homem rico} kkk",
    ],
    # ------------------------------------------------------------------ German
    "request.open@de": [
        "kann jemand die durch den bot jagen? ist <_who_de>\n$extras",
        "bitte mal ausziehen lassen 🙏 ist <_who_de>",
        "hab keine credits mehr, kann wer die machen? <_who_de>\n$extras",
        "<_who_de>, bitte die spicy version",
        "admin machst du customs? einmal ohne klamotten bitte, ist <_who_de>\n$extras",
        "jemand mit VIP da? bot nimmt mein bild nicht. ist <_who_de>",
        "wer macht mir die nackig? zahl auch. <_who_de>",
        "<_who_de>\n$extras\ndie volle behandlung bitte {lol|xD}",
    ],
    "fulfillment.delivery@de": [
        "hier", "fertig", "bitte schön", "erledigt, hat gedauert", "da haste", "done ✅",
        "hier bro", "{hier|bitte}, {in HD|3 versuche gebraucht}",
    ],
    "praise.generic@de": [
        "krass gut geworden", "Ehrenmann", "sauber", "bester admin hier",
        "der bot ballert heute 🔥", "sieht echt aus wtf", "top arbeit",
        "{digga|alter} {wie echt|das sieht mega aus}", "{danke|dank dir}, {Ehrenmann|bester}",
    ],
    "source_solicitation@de": [
        "schick mal ein klares foto von vorne", "hast du eins mit besserem licht?",
        "zu verschwommen, hast du das original?", "brauch eins wo man das gesicht sieht",
        "gib mal ihr insta, dann such ich selbst",
        "ohne sonnenbrille bitte, sonst checkt der bot nix",
        "{hast du|gibts} {noch eins|mehr} ohne filter?",
    ],
    "counter_speech@de": [
        "das ist strafbar, ich meld die gruppe",
        "das sind echte frauen, die haben nie zugestimmt", "widerlich, bin raus",
        "screenshots gehen an die polizei",
        "stell dir vor das macht wer mit deiner schwester",
        "{fake oder nicht|KI oder nicht}, das ist belästigung. gemeldet",
    ],
    "other.chatter@de": [
        "moin", "bot wieder down oder was", "jemand aus {berlin|hamburg|wien} hier?",
        "n'abend leute", "tote hose hier heute", "bin neu hier, servus",
        "ist der bot wieder online?", "{moin|na} {leute|zusammen}, was geht",
    ],
    "other.sexist@de": [
        "frauen halt", "typisch weiber, melden sich nie zurück",
        "die wollen alle nur nen typen mit kohle", "frauen am steuer, viel spaß",
        "weibliche chefs sind die schlimmsten",
        "{frauen|die} {heutzutage|von tinder} {wollen nur|suchen nur} {kohle|nen 1,90 typen}",
    ],
}
# fmt: on

# Word swaps the way this group types (applied per match with some probability).
_SWAPS: tuple[tuple[str, str], ...] = (
    ("you", "u"),
    ("your", "ur"),
    ("you're", "ur"),
    ("please", "pls"),
    ("because", "bc"),
    ("though", "tho"),
    ("really", "rly"),
    ("people", "ppl"),
    ("with", "w"),
    ("thanks", "thx"),
    ("okay", "ok"),
    ("don't", "dont"),
    ("can't", "cant"),
    ("i'm", "im"),
    ("it's", "its"),
    ("that's", "thats"),
    ("what's", "whats"),
    ("doesn't", "doesnt"),
    ("anyone", "any1"),
    ("right now", "rn"),
    ("tonight", "tn"),
    ("to be honest", "tbh"),
)
_TYPOS: dict[str, str] = {
    "someone": "soemone",
    "credits": "credtis",
    "please": "plese",
    "thanks": "thansk",
    "anyone": "anyoen",
    "really": "realy",
    "because": "becuase",
    "pictures": "pictrues",
    "would": "woudl",
    "queue": "queu",
    "again": "agian",
    "version": "verison",
}
_LOWERABLE = {
    "can", "could", "anyone", "does", "is", "new", "please", "this", "thanks", "here", "need",
    "want", "bot", "done", "ok", "so", "who", "what", "why", "how", "the", "still",
}  # fmt: skip
_TAILS: dict[str, tuple[str, ...]] = {
    "request": (" 🙏", " 😩", " 👀", " 🙏🙏", " 🥺"),
    "praise": (" 🔥", " 👑", " 💯", " 🐐", "!!"),
}


def _edge(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.@/+'])" + re.escape(word) + r"(?![\w.@/+'])", re.IGNORECASE)


_SWAP_RE = tuple((_edge(a), b) for a, b in _SWAPS)
_TYPO_RE = {w: _edge(w) for w in _TYPOS}


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a post the way this group types: chat shorthand, dropped caps, stray emoji."""
    if not re.search(r"[A-Za-z]", text):
        return text  # emoji-only / symbols: leave as is
    careful = role in ("counter_speech",)
    admin_ish = role in ("technical", "payment", "distribution")
    rate = 0.25 if careful else 0.6
    out = text
    for pat, rep in _SWAP_RE:
        if rng.random() < rate:
            out = pat.sub(rep, out)
    if not careful and rng.random() < 0.15:
        words = [w for w in _TYPOS if _TYPO_RE[w].search(out)]
        if words:
            w = words[rng.randrange(len(words))]
            out = _TYPO_RE[w].sub(_TYPOS[w], out, count=1)
    first = out.split(" ", 1)[0]
    if first.lower() in _LOWERABLE:
        if admin_ish and rng.random() < 0.3:
            out = out[0].upper() + out[1:]
        elif rng.random() < 0.7:
            out = out[0].lower() + out[1:]
    if out.endswith(".") and not out.endswith("..") and rng.random() < 0.7:
        out = out[:-1]
    if out.endswith("?") and not careful and rng.random() < 0.2:
        out += "?" * rng.randint(1, 2)
    tails = _TAILS.get(role)
    if tails and "\n" not in out and out[-1].isalnum() and rng.random() < 0.12:
        out += tails[rng.randrange(len(tails))]
    if not careful and ". " in out and rng.random() < 0.08:
        out = out.replace(". ", "\n", 1)
    return out


FAMILY = Family(
    name="bot_channel",
    banks=_BANKS,
    style=style,
    description="Telegram/Discord groups run around a nudify bot and paid editors: admin status "
    "posts, slash-commands, credits/VIP/queue talk, newbies complaining about results, mirrors, "
    "vouches; lowercase chat shorthand with some emoji.",
)
