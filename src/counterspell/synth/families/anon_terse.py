"""Family ``anon_terse``: anonymous imageboard posters (/r/-board style).

Terse, mostly lowercase, little punctuation, greentext, board slang (anon, op, kek, wiz, sage,
bump, newfag, desu), blunt and impatient. Foreign posts are written the way Spanish, Portuguese
and German anons write on an English board: short, slangy, English board words mixed in.

Every target is fictional (slots come from the generator) and every request is euphemistic.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family

BANKS: dict[str, list[str]] = {
    # ------------------------------------------------------------------ private helper banks
    "_wiz": [
        "wiz", "wizards", "anons", "anyone", "some kind anon", "any wizard", "wizzies",
        "any wiz around", "someone", "bros",
    ],
    "_pls": [
        "pls", "plz", "please", "pls wiz", "ty in advance", "tyia", "", "", "pretty pls",
        "would be grateful", "thx", "pls pls pls", "ty",
    ],
    "_ask": [
        "nude her", "make her lewd", "undress her", "spicy edit her", "take it all off",
        "do your thing on her", "give her the treatment", "the usual on her", "lose the clothes",
        "make her less dressed", "faceswap her onto something lewd",
        "put her face on something nsfw", "run her through the nudifier", "lewd her",
        "get her out of that outfit", "inpaint the clothes away", "make her a bit less clothed",
        "work your magic, less clothes", "nudify", "you know what to do",
    ],
    "_verb": [
        "nude", "undress", "lewd", "strip", "do your thing on", "work your magic on",
        "do the usual on", "run the nudifier on", "spicy edit", "nudify", "do the treatment on",
        "take the clothes off",
    ],
    "_ask_noun": [
        "her nude", "her lewded", "her without the clothes", "her with nothing on",
        "what shes hiding", "a lewd version", "a spicy edit", "her undressed",
    ],
    "_opener": [
        "req", "request", "first time posting", "been lurking a while", "wizards needed",
        "ok so", "long shot but", "dont judge", "kek ok", "reposting since last thread died",
        "", "", "", "new thread so", "quick one",
    ],
    "_close": [
        "ty", "tyvm", "will be grateful", "you know the drill", "ill check back",
        "dont let me down", "🙏", "", "", "bump for me later", "will tip if good",
    ],
    # ------------------------------------------------------------------ who
    "who.coworker": [
        "this {girl|chick} from work", "$name from {accounting|hr|marketing|the warehouse|payroll}",
        "my coworker $name", "the new girl at my job", "$name at the front desk",
        "my {manager|supervisor|team lead} $name", "a chick i work with", "my work wife $name {lol|kek|}",
        "$name from my shift", "the hr lady $name", "{a|this} girl on my team",
        "$name who sits next to me at work", "my coworker",
    ],
    "who.classmate": [
        "a girl in my {bio|stats|econ|philosophy} lecture", "$name from my {stats|orgo|law} class",
        "my lab partner $name", "this girl from uni", "$name from my seminar group",
        "a {classmate|girl} from college", "the girl who sits in front of me in {orgo|lectures}",
        "$name from my study group", "this chick in my uni class", "my classmate $name",
        "{a|this} girl from my nursing cohort",
    ],
    "who.ex": [
        "my ex", "my ex $name", "my ex gf", "$name, my ex", "my crazy ex",
        "the ex who cheated on me", "my ex fiancee $name", "my ex from college",
        "$name (ex)", "my ex {$name|}, she dumped me for a gym bro", "my ex wife",
        "this ex of mine",
    ],
    "who.family": [
        "my cousin $name", "my step sis", "my stepsister $name", "my sister in law $name",
        "my brothers wife", "my {older|} cousin", "my stepmom", "$name, my cousin",
        "my wifes sister $name", "my sil", "my step sis $name {kek|lol|}",
    ],
    "who.acquaintance": [
        "my buddys gf $name", "my neighbor $name", "a girl from my gym", "$name from my gym",
        "my friends wife", "a girl in my friend group", "my roommates gf",
        "this girl from church", "$name from my {dnd|climbing|running} group",
        "my best friends sister $name", "$name, friend of a friend", "the girl next door",
    ],
    "who.public_figure": [
        "this twitch streamer $name", "local news girl $name", "tiktok girl $name",
        "a fitness influencer, $name", "the weather girl on channel $n", "$name the yt girl",
        "this cosplayer $name", "an ig model $name", "that {asmr|gaming|just chatting} streamer $name",
        "local radio host $name", "$name from that cooking channel", "e-girl $name",
    ],
    "who.stranger": [
        "a girl i saw on the train", "random {girl|chick} from ig", "this girl i found on tiktok",
        "a girl from the bus stop", "random chick from a dating app", "a {hinge|tinder|bumble} match",
        "$name, found her on insta", "some girl at the mall", "a cashier at my grocery store",
        "this girl from a reddit pic", "some random i saw at the beach",
        "a girl from my feed, dont know her",
    ],
    # ------------------------------------------------------------------ details
    "detail.handle": [
        "ig is $handle", "her insta: $handle", "@$handle on ig", "tiktok {is|} $handle",
        "shes $handle on twitter", "handle is $handle", "find her on ig, $handle",
        "$handle (ig)", "her twitch is $handle", "fb is $handle", "her vsco $handle lol",
        "snap $handle", "$handle on insta",
    ],
    "detail.doxx.work": [
        "works at $employer", "she works the front desk at $employer", "$employer in $town",
        "shes at $employer", "works at $employer, $town {branch|location}",
        "you can find her at $employer most days", "receptionist at $employer",
        "$employer, {morning|evening|weekend} shift", "works in $town at $employer",
        "at $employer if anyone is local", "office is $employer in $town",
    ],
    "detail.doxx.school": [
        "goes to $school", "shes at $school", "3rd year at $school", "grad student at $school",
        "studying nursing at $school", "$school, final year", "lives in the dorms at $school",
        "we're both at $school", "{ta|tutor} at $school", "law student at $school",
        "shes in my seminar at $school", "doing her masters at $school",
    ],
    "detail.doxx.home": [
        "lives in $town", "from $town", "$town area", "shes in $town", "lives near me in $town",
        "$town local", "anyone from $town know her?", "$town, {north|east|west} side",
        "moved to $town last year", "her apartment is in $town", "lives off main st in $town",
    ],
    "detail.doxx.school_minor": [
        "goes to $school, sophomore", "shes a junior at $school", "$school, {9th|10th|11th} grade",
        "in year 10 at $school", "year 11 at $school", "10th grader at $school",
        "still at $school, graduates {next year|in 2 years}", "freshman at $school",
        "on the $school volleyball team, sophomore", "$school {class of next year|junior}",
    ],
    "detail.minor": [
        "shes 16", "shes 15", "junior in high school", "still in high school", "in year 11",
        "{16|17} btw", "sophomore", "she turns 17 next month", "still in hs", "10th grade",
        "not 18 yet", "year 10", "she's only 16 {lol|kek|}",
    ],
    "detail.nc": [
        "she has no idea", "she'd never send anything", "pics from her private ig",
        "she doesnt know lol", "got these from her close friends story",
        "shes super {conservative|religious}, would never", "dont tell her kek",
        "she blocked me so", "her acc is private, a friend showed me", "she'd kill me if she knew",
        "she turned me down so", "took these off her locked fb",
    ],
    "detail.pay": [
        "$amount for whoever does it", "paying $amount", "will send $amount {btc|in btc|eth}",
        "$amount on cashapp", "$amount if its good", "tipping $amount", "$amount for the best one",
        "can do $amount", "got $amount for a good one", "$amount, paypal f&f",
        "$amount to the first wiz",
    ],
    # ------------------------------------------------------------------ requests
    "request.open": [
        "<_opener> $who $extras <_ask> <_pls>",
        "<_verb> $who $extras <_pls>",
        ">be me\n>$who\n$extras\n>{cant stop thinking about it|she posts all this teasing stuff|never gonna happen irl}\n>{mfw no lewds|mfw she'd never}\n<_wiz> <_ask> <_pls>",
        "$who. $extras. {can|could|would} {some wizard|anyone|a kind anon} <_verb> her {pls|}",
        "{need|want|looking for} {a spicy edit|a nude|a lewd edit|the treatment|an undress} of $who $extras <_pls>",
        "$extras\nthats $who. <_ask>",
        "{wiz|wizards} i kneel. $who $extras. {make her lewd|you know what to do|the usual}",
        ">$who\n$extras\n>{she'd never post anything lewd|always covered up|dresses like a nun}\n{fix that|change that} <_wiz>",
        "{first time|new here|long time lurker first req} {be gentle|go easy}. $who $extras. {want her|need her} {lewded|nudified|undressed|edited spicy}",
        "$who $extras {faceswap her onto|put her face on} something {lewd|nsfw|spicy} <_pls>",
        "the usual on $who $extras",
        "$who, $extras. take it all off {pls|wiz|anon}",
        "{any wiz around?|wizards?|anyone taking reqs?} got $who $extras. {she|this one} {needs|deserves} the treatment",
        "{kek|lol} ok dont judge. $who $extras. {make her less dressed|less clothes pls|lose the outfit}",
        "{does|would} anyone {do|take} $who? $extras. {spicy edit|nude|undress} {pls|}",
        "{been wanting this for ages|been thinking about this for months|had this saved forever}. $who $extras. {someone|any wiz} <_verb> her {already|}",
        "pic rel is $who $extras <_ask> <_pls>",
        "$who $extras\n{wonder what shes hiding|what would she look like with nothing on}\n{anyone|wiz} {show me|find out for me}",
        "{desperate|begging} for $who {lewded|undressed|nude edit}. $extras. <_close>",
        "{oh wizards|dear wizards|wizzies} {hear my plea|i have a request}: $who $extras. <_ask>",
        "{op|anon} here again. new one: $who $extras. same as last time, <_ask>",
        "{sorry for bad pic|pic is kinda blurry sorry|only got this one} but $who $extras. <_verb> her? <_pls>",
        "lewd $who $extras",
        "$who $extras nude",
        "{she|this {girl|chick}} is $who $extras and {she acts like a saint|she thinks shes better than everyone|she always dresses so modest} {lol|kek}. {lets see|show me} <_ask_noun>",
        "{paying|will pay|can tip} for $who $extras. {spicy edit|nude|undress}, {reply here|dm me|post it itt}",
        "{req|request}:\n$who\n$extras\n<_ask>",
        "{tfw|mfw} $who {posts|uploads} another pic {fully dressed|in a turtleneck|at the office}\n$extras\n<_wiz> {make it right|do your thing|you know what to do}",
        "{can|cn} u guys do $who $extras, {the usual|spicy|undress} <_pls>",
        "{got a new one|fresh one|new target lol} for the wizards. $who $extras. <_ask>. <_close>",
        "$who $extras\n\n{nude|lewd|undress} pls {desu|ngl|}",
        "i want to see <_ask_noun>. its $who $extras. <_wiz>?",
    ],
    "request.bump": [
        "bump", "bmp", "bump for the wiz", "still looking", "anyone?", "up", "^", "b u m p",
        "bumping this", "{bump|bumpity bump} {pls|}", "pls wiz", "dont let this die",
        "self bump sorry", "bump, still want it", "anyone gonna do this or what",
        "bump {again|x$n}", "wizards where u at",
    ],
    "request.bump_name": [
        "bump for $name", "$name bump", "still want $name done", "anyone doing $name?",
        "$name pls", "nobody wants $name? {kek|sad}", "bump $name before thread dies",
        "$name still up for grabs", "dont forget $name wizards", "{last|final} bump for $name",
        ">$name\n>still not done\nwhy", "wizards $name is still waiting lol",
    ],
    "request.more_pic": [
        "one more from her {ig|insta} story", "heres another, {beach trip|from her vacation|from last summer}",
        "another from the {work|office} christmas party", "got one more from her fb",
        "another angle, from her {gym selfie|cousins wedding|birthday}",
        "found this on her {tagged pics|friends page}",
        "more: this is from {her story yesterday|a group pic at the bar}", "pic from her linkedin lmao",
        "another, {screenshot|ss} from her {story|tiktok}",
        "this ones better, {from her sisters page|beach pic from july}",
        ">more pics\n>from her {lake trip|cabin weekend} album", "extra pic for the wiz, {from her bday dinner|taken at the office party}",
        "better one, she posted it {today|last night} on her story",
    ],
    "request.nothing_public": [
        "thats all she has", "acc is private sorry", "only have these, she locked her ig",
        "no better ones, she barely posts", "thats literally all i got",
        "her ig is private, got these from a friend", "cant get more without her noticing",
        "she deleted most of them", "nope thats it", "only group pics sorry, cropped best i could",
        "tried, shes private everywhere", "she doesnt really do social media, this is it",
    ],
    "request.insist": [
        "its literally fake, relax", "nobody gets hurt, calm down", "cope, still want it",
        "not asking you, asking the wiz", ">muh consent\nits pixels anon", "who asked",
        "if you dont like it leave the thread", "shes never gonna see it lol",
        "still want it, ignore the moralfag", "relax its for me only", "ok and? still need it done",
        "you're in the wrong thread buddy", "sage yourself, still waiting on this",
        ">its wrong\nits a jpg. anyway {bump|wiz pls}",
    ],
    "request.second": [
        "this", "+1", "seconding", "would also like to see", "same", "bump for this one",
        "^ this", "yes pls", "also want", "need this too", "thirded", "ill chip in for this one",
        "me too wiz", "{this|+1}, {she's cute|good pick|good taste anon}",
    ],
    "request.repeat": [
        "anyone still have $name from {last thread|the old thread}?",
        "reposting $who, got missed {last time|in thread $n}", "did anyone ever do $name?",
        "requested $who {a while back|last thread}, nobody did it. trying again",
        "$name again, {thread $n|couple threads ago} never got done",
        "back with $who again since the last one 404d", "anyone who saved $name pls repost",
        "{asked|posted} for $name before, still nothing",
        "retrying $who, pls dont ignore this time",
        "last thread someone said theyd do $name. still on?", "any wiz remember $name? re-req",
    ],
    # ------------------------------------------------------------------ fulfilment
    "fulfillment.delivery": [
        "here", "done", "took a while", "here you go anon", "delivered", "there", "as requested",
        "ok here", "your order sir kek", "done, enjoy", "this what you wanted?", "first try",
        "here. dont ask for revisions", "did the first one", "for the anon above",
        "{done|here}, {req|request} #$n",
    ],
    "fulfillment.remark": [
        "hands are {fucked|cursed} sorry", "rough angle, best i could do",
        "quick inpaint, not great", "source was potato res so dont expect much",
        "face drifted a bit, whatever", "lighting doesnt match, no time to fix",
        "took like {30|40|50} gens to get one usable", "bg is messed up but eh",
        "used the usual model, faceswap after", "had to guess a lot, pic was cropped",
        "not my best, gpu is crying", "edges are rough, someone else can clean it",
        "ran it twice, this ones less cursed", "skin tone is off, pic was too dark",
    ],
    # ------------------------------------------------------------------ distribution
    "distribution.invite": [
        "rest in $invite", "full set: $invite", "join $invite before it gets nuked",
        "more at $invite", "cant post it all here, $invite", "$invite for the full album",
        "$invite", "new link since old one died: $invite", "requests taken at $invite",
        "moved to $invite, this place is too hot", "{dm|hmu} $invite",
        "$invite, dont share it around", "{tg|group} is $invite, be quick",
    ],
    "distribution.repost": [
        "reposting for the anons who missed it", "reup from last thread", "since ppl asked again",
        "repost", "old one but gold", "from thread $n", "saw people asking, here",
        "reposting before it gets lost", "re-up for latecomers", "this one again since the link died",
        "for the newfags who missed it", "from the archive",
    ],
    "distribution.pointer": [
        "all in the tg", "check the server", "rest is on the discord", "its on the mega, find it",
        "full set in the usual place", "the rest is in the group", "ask in the tg",
        "you know where the rest is", "not posting the rest here, its in the channel",
        "the server has the whole folder", "dms only for the rest", "session group has more",
    ],
    # ------------------------------------------------------------------ praise
    "praise.generic": [
        "based wizard", "holy shit", "god tier", "wiz you absolute legend", "damn thats clean",
        "clean af", "best one itt", "fucking wizard", "how do you do this so fast",
        "10/10 no notes", "actual sorcery", "this is why i lurk", "saved", "you're the goat",
        "insane work", "{holy|damn} {kek|lmao} {good shit|nice}",
    ],
    "praise.thanks": [
        "tyvm wiz", "ty anon", "owe you one", "legend, ty", "thank you so much", "perfect, ty",
        "exactly what i wanted ty", "bless you wiz", "ty ty ty", "you delivered, thanks",
        "wiz came through, ty", "appreciated anon", "ok ty kek",
    ],
    "praise.emoji": [
        "🔥", "🔥🔥🔥", "👑", "🙏", "🐐", "💯", "🤝", "😳🔥", "🧙‍♂️👑", "👌", "🔥 ty", "🙏🙏",
        "{🥵|😳|🔥}",
    ],
    # ------------------------------------------------------------------ other roles
    "source_solicitation": [
        "need better pics", "got anything where shes facing the camera?", "more angles pls",
        "pic too low res, got more?", "post more of her", "any pics where her face isnt covered",
        "need at least 3 good ones for the face", "got her ig? ill grab some myself",
        "something not a group pic", "standing pics work best, got any",
        "this is a screenshot of a screenshot anon, need the original",
        "front facing + decent light or i cant do it", "more source = better result",
        "any without sunglasses",
    ],
    "technical": [
        "inpaint with denoise around {0.5|0.6|0.7}, higher and the face drifts",
        "controlnet openpose keeps the pose, use it", "sdxl is overkill for this, 1.5 is fine",
        "a face lora needs like {15|20|30} decent pics", "reactor does the faceswap, run it after",
        "comfy > a1111 dont @ me", "adetailer fixes faces most of the time",
        "upscale at the end not the start", "{8|12|24}gb vram is enough if you tile",
        "whats everyone using for hands", "the telegram bots are trash, run it local",
        "mask with a little feather or it looks pasted", "cfg too high thats why it looks fried",
        "the phone apps are watermarked garbage", "which sampler are you using anon",
    ],
    "payment": [
        "$amount for a custom", "ill do it for $amount", "paid $amount and the guy ghosted",
        "tips appreciated, $amount min", "cashapp $amount and its yours", "$amount in btc, no paypal",
        "$amount per pic, bulk discount", "is $amount a fair price or am i getting scammed",
        "dont pay more than $amount", "send $amount first, then i start",
        "$amount and you skip the line", "crypto only. $amount. dont haggle",
        "who charges $amount for one edit lmao",
    ],
    "counter_speech": [
        "these are real women you freaks", "this is illegal in a lot of places now", "reported",
        "imagine doing this to someone you see every day", "she didnt consent to any of this",
        "get help", "this is literally a crime, enjoy the knock on the door",
        "the girl in that pic is a real person with a job and a family",
        "fake or not it wrecks her life when it gets out",
        "reported to the site and the cops, screenshots saved",
        "how would you feel if someone did this to your sister",
        "this isnt edgy its just sad and illegal", "jannies nuke this thread pls, real people",
        ">its just fake\nits her face anon. its her. reported",
    ],
    "counter_speech.minor": [
        "shes 16 what the fuck", "reported, thats a kid", "shes in high school. reported to ncmec",
        "thats a minor, fbi tip filed", "mods hes asking for a highschooler, ban",
        "literally a child, get out", "you said year 11. thats a kid. reported",
        "junior in high school = minor. reported", "jannies this is a minor, delete and ban",
        "cant believe i have to say it, shes underage. reported everywhere",
        "screenshotted and sent to the tip line, shes a kid", ">shes 16\nreported. hope they find you",
    ],
    "other.chatter": [
        "new thread when", "threads dead", "morning anons", "slow night itt", "first", "lurking",
        "anyone else up", "this board used to be good", "bump for no reason",
        "the usual suspects tonight kek", "just got home from work, whats new",
        "who else here on a sunday night", "captcha is killing me", "kek", "based",
        "summer newfags are back", ">tfw no gf\n>tfw no wizard powers either",
    ],
    "other.meta": [
        "sage", "hello fbi", "mods are asleep lmao", "jannies do it for free",
        "read the sticky newfag", "no requests without source, rules",
        "fake wizard in the last thread took money and ghosted, dont pay upfront",
        "dont trust anyone asking to be paid first", "thread will 404 in an hour anyway",
        "sage goes in all fields", "hi fbi 👋", "this is a honeypot btw",
        "stop replying to the bait", "use the archive before asking",
        "the discord links are all scams", "some namefag keeps bumping his own thread",
    ],
    "other.sexist": [
        "women at my job are all the same", "she thinks shes hot shit because she got 200 likes",
        "every girl on ig is an attention seeker", "women dont want nice guys, proven again",
        "my ex got fat after we broke up lol", "stacies only date chads, nothing new",
        "she posts gym pics for attention and then complains about creeps",
        "modern women cant even cook", "girls at my uni are all npcs",
        "hr ladies ruin every office", "they want equality until the bill comes",
        "coworker cried in a meeting. this is why women shouldnt be managers",
        "every girl on hinge is a 5 who thinks shes a 9", "$name is such a thot lmao",
    ],
    "other.lust": [
        "shes so hot it hurts", "would kill to see her naked", "she def has an onlyfans",
        "heard she sends nudes to half the gym", "my coworker is unreal today, cant focus",
        "$name from the gym is a 10 ngl", "i think about her way too much",
        "she wore that dress again, im done", "her new pfp is illegal lol",
        "$name has a secret onlyfans, my buddy found it", "id marry her tomorrow",
        "that streamer is insanely pretty", "$name in yoga pants should be a crime",
    ],
    "other.insult": [
        "cope", "touch grass", "seethe", "op is a virgin", "imagine being this lonely",
        "you type like a redditor", "lurk moar", "newfag detected", "go back",
        "nobody cares anon", "your pic looks like it was taken with a potato",
        "she wouldnt look at you twice kek", "average wiz is 300 lbs and lives with mom",
        "stay mad", "cringe", "ngmi",
    ],
    "other.sfw_edit": [
        "can someone remove the bg", "restore my grandmas photo, its all scratched",
        "put a crown on my cat pls", "fix the lighting on this, its my gfs bday pic",
        "remove the guy in the background", "upscale this for a print",
        "make this a meme: my boss as a wojak", "shop my buddy into the lotr scene",
        "wiz can you fix my sisters wedding pic, the flash blew out her face",
        "colorize this old family photo", "erase my ex from this group photo",
        "make my dog look like a renaissance painting", "swap the sky, its too grey",
        "put a party hat on my grandpa for his 80th",
    ],
    "other.age": [
        "my niece turned 16 today, feel old", "pic rel is me at 14, cringe",
        "my little sister is in year 11 and stressing about exams",
        "teacher here, grading till midnight again",
        "young lady at the counter called me sir, im 24", "my cousin just started high school",
        "junior year was the worst year of my life", "my kid is in 3rd grade and already has homework",
        "class of 2012 reunion was depressing", "when i was 17 i thought id be rich by now",
        "my mom is 50 and just got on tiktok", "sophomore year i had a mullet, pic rel",
    ],
    "other.game": [
        "school uniform skin in the new gacha is mid", "best waifu tier list, fight me",
        "loli characters are overused in every isekai", "year 7 dungeon is impossible solo",
        "the new banner is a scam", "finally pulled the maid outfit skin",
        "my waifu got nerfed", "this anime has the same school setting as every other",
        "the school festival arc was filler", "need a party for the raid tonight", "whos your main",
        "the dlc bosses are bs", "magical girl shows peaked in 2011",
        "swimsuit event skins are lazy",
    ],
    "other.question": [
        "who", "sauce?", "who is she?", "name?", "what board is this",
        "is this the same girl as last thread", "why is this thread always up",
        "is she famous or something", "is op the same guy every time",
        "what happened to the old thread", "how do people even find these threads",
        "wait is this allowed here", "is this real or ai",
    ],
    # ------------------------------------------------------------------ spanish
    "request.open@es": [
        "alguien me la desnuda? es $name, compa del curro. pls",
        "wizards hagan su magia con $name, mi ex {jaja|xd}",
        "quien le quita la ropa a esta? se llama $name, trabaja en $employer",
        "edit picante de $name porfa, es mi prima. pago $amount",
        "anons necesito a $name sin ropa, su ig es $handle",
        "primera vez pidiendo, sean buenos. $name, compañera de clase. desnudenla {pls|porfa|xfa}",
        "lo de siempre con $name, vive en $town {xd|}",
        "faceswap de $name en algo {subido de tono|picante}? bump",
    ],
    "fulfillment.delivery@es": [
        "aqui tienes", "listo", "ahi va", "hecho, me costo un rato", "toma anon", "ya esta",
    ],
    "praise.generic@es": [
        "buenisimo wiz", "crack", "que maquina", "de lujo, gracias", "god tier jaja",
        "eres un genio", "brutal",
    ],
    "source_solicitation@es": [
        "tienes mas fotos?", "necesito mejor foto, de frente", "esta muy pixelada, pasa otra",
        "pasa su ig y saco yo", "con esta no puedo, manda mas", "alguna sin gafas?",
    ],
    "counter_speech@es": [
        "esto es ilegal, reportado", "son mujeres reales, dan asco", "ella no consintio nada",
        "que enfermos, reportado a los mods", "esto es delito en españa, ojo", "buscad ayuda",
    ],
    "other.chatter@es": [
        "buenas anons", "hilo nuevo cuando", "que hilo mas muerto", "alguien de mexico?",
        "saludos desde argentina", "jaja que board", "bump porque si",
    ],
    "other.sexist@es": [
        "las mujeres de hoy solo quieren likes", "todas iguales", "mi jefa se cree la gran cosa",
        "las minas solo quieren chads", "ninguna sabe cocinar ya jaja", "pura atencion, nada mas",
    ],
    # ------------------------------------------------------------------ portuguese
    "request.open@pt": [
        "alguem deixa a $name peladinha? colega de trampo kkkk",
        "wiz faz tua magia nessa ai, $name, minha ex",
        "tira a roupa dela pfv, $name, trabalha na $employer",
        "edit safada da $name, pago $amount no pix",
        "manos, $name minha vizinha, deixa ela sem roupa ai {kkk|}",
        "o de sempre na $name pfv, insta dela: $handle",
        "primeira vez pedindo aqui. $name, prima da minha mina. nude pfv",
    ],
    "fulfillment.delivery@pt": [
        "ta ai", "pronto", "aqui mano", "feito, demorou", "toma anon", "entregue",
    ],
    "praise.generic@pt": [
        "brabo demais", "mito", "monstro wiz", "ficou top", "que isso mano kkkk", "lenda",
    ],
    "source_solicitation@pt": [
        "tem mais foto?", "manda uma melhor", "essa ta muito borrada", "passa o insta dela",
        "preciso de uma de frente", "so tem essa? manda mais",
    ],
    "counter_speech@pt": [
        "isso é crime, denunciado", "sao mulheres reais seus doentes", "ela nao consentiu, para",
        "denunciei pros mods", "vai se tratar mano", "isso da cadeia no brasil",
    ],
    "other.chatter@pt": [
        "salve anons", "fio morto hein", "alguem br aqui?", "kkkkk", "bom dia anons",
        "novo fio quando",
    ],
    "other.sexist@pt": [
        "mulher hoje so quer atencao", "todas iguais mano", "minha chefe se acha demais",
        "mina so quer chad kkk", "nenhuma sabe cozinhar hoje em dia",
    ],
    # ------------------------------------------------------------------ german
    "request.open@de": [
        "kann jemand $name ausziehen? arbeitskollegin",
        "wizard mach mal dein ding bei $name, meine ex",
        "bitte ne spicy edit von $name, arbeitet bei $employer",
        "wer macht $name nackig? zahle $amount",
        "das übliche bei $name bitte, insta: $handle",
        "erste anfrage hier, seid nett. $name aus meinem kurs, bitte ausziehen",
        "$name aus $town, jemand lust sie auszuziehen? {danke|thx} im voraus",
    ],
    "fulfillment.delivery@de": [
        "hier", "fertig", "bitte sehr", "da haste", "hat gedauert aber hier", "bitteschön anon",
    ],
    "praise.generic@de": [
        "geil gemacht", "ehrenmann", "stark wiz", "sauber", "bester mann", "krass gut",
    ],
    "source_solicitation@de": [
        "hast du mehr bilder?", "brauch bessere quali", "bild zu klein, noch andere?",
        "gib mal ihr insta", "eins von vorne wär gut", "mehr bilder = besseres ergebnis",
    ],
    "counter_speech@de": [
        "das ist strafbar, gemeldet", "das sind echte frauen, ekelhaft",
        "sie hat nicht zugestimmt du lappen", "gemeldet, screenshots gemacht",
        "such dir hilfe", "das ist kein spaß mehr, das ist ne straftat",
    ],
    "other.chatter@de": [
        "moin anons", "toter thread", "jemand aus österreich hier?", "neuer thread wann",
        "servus", "kek, deutsche hier?",
    ],
    "other.sexist@de": [
        "frauen heutzutage wollen nur aufmerksamkeit", "alle gleich",
        "meine chefin hält sich für was besseres", "die wollen alle nur chads",
        "kochen kann auch keine mehr",
    ],
}  # fmt: skip


_CONTRACTION = re.compile(r"\b([a-z]+)'(t|s|m|re|ll|d|ve)\b")
_ELONGATE: dict[str, tuple[str, ...]] = {
    "pls": ("plss", "plsss", "plz", "pleaase"),
    "please": ("pleeease", "pleaseee", "plsss"),
    "bump": ("bumpp", "bummp", "BUMP"),
    "so": ("soo", "sooo"),
    "kek": ("kekkk", "kekek", "kek kek"),
    "lol": ("lmao", "lool", "lmfao"),
    "holy": ("holyyy", "hooly"),
    "damn": ("daaamn", "damnnn"),
    "ty": ("tyy", "tyty", "tyvm"),
    "yes": ("yesss", "yess"),
    "anyone": ("anyonee", "anyoneee"),
    "wiz": ("wizz", "wizzz"),
}
_REPLY_ROLES = {
    "praise", "counter_speech", "other", "fulfillment", "source_solicitation", "technical",
    "payment", "request", "distribution",
}  # fmt: skip
_TAGS = (" desu", " tbh", " ngl", " kek", " lol", " imo")


def _typo(rng: random.Random, word: str) -> str:
    """One keyboard slip inside a plain lowercase word."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # swap two neighbouring letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # drop a letter
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double a letter


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a post the way anon types: no apostrophes, slips, elongations, quote links."""
    if rng.random() < 0.6:
        text = _CONTRACTION.sub(r"\1\2", text)
    tokens = re.split(r"(\s+)", text)
    if rng.random() < 0.12:  # a typo in one plain word (slot values are capitalised or dotted)
        plain = [
            i
            for i, t in enumerate(tokens)
            if len(t.rstrip(",.!?:")) >= 5 and t.rstrip(",.!?:").isalpha() and t.islower()
        ]
        if plain:
            i = plain[rng.randrange(len(plain))]
            core = tokens[i].rstrip(",.!?:")
            tokens[i] = _typo(rng, core) + tokens[i][len(core) :]
    if rng.random() < 0.15:  # drawn-out word
        hits = [i for i, t in enumerate(tokens) if t in _ELONGATE]
        if hits:
            i = hits[rng.randrange(len(hits))]
            opts = _ELONGATE[tokens[i]]
            tokens[i] = opts[rng.randrange(len(opts))]
    text = "".join(tokens)
    if text.endswith(".") and not text.endswith("..") and rng.random() < 0.7:
        text = text[:-1]
    if role in ("other", "praise", "technical") and rng.random() < 0.05:
        text += _TAGS[rng.randrange(len(_TAGS))]
    if (
        role in ("other", "praise", "counter_speech")
        and len(text) < 40
        and not re.search(r"[A-Z0-9]", text)
        and rng.random() < 0.04
    ):
        text = text.upper()  # shouting
    elif text[:1].islower() and rng.random() < 0.08:
        text = text[0].upper() + text[1:]
    if role in _REPLY_ROLES and rng.random() < (0.04 if role == "request" else 0.12):
        text = f">>{rng.randrange(400_000_000, 999_999_999)}\n{text}"
    return text


FAMILY = Family(
    name="anon_terse",
    banks=BANKS,
    style=style,
    description="anonymous imageboard posters: terse lowercase, greentext, board slang "
    "(anon, op, kek, wiz, sage, bump), quote links; es/pt/de anons mixing in board English",
)
