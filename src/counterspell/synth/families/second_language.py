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

from counterspell.synth.grammar import Family

# --------------------------------------------------------------------------------------------
# private helper banks
# --------------------------------------------------------------------------------------------
_HELPERS: dict[str, list[str]] = {
    "_hi": [
        "hello",
        "hi",
        "hola",
        "ola",
        "hallo",
        "servus",
        "good evening",
        "good day to all",
        "hello everybody",
        "hello friends",
        "hola amigos",
        "hi guys",
        "moin",
        "oi gente",
        "hey",
        "hello to all the wizards",
        "",
        "",
    ],
    "_pls": [
        "please",
        "pls",
        "plz",
        "porfa",
        "por favor",
        "bitte",
        "pfv",
        "plis",
        "pliss",
        "please please",
        "por fa",
        "bitte bitte",
    ],
    "_bro": [
        "bro",
        "amigo",
        "amigos",
        "mano",
        "hermano",
        "brother",
        "my friend",
        "guys",
        "friends",
        "parce",
        "compa",
        "alter",
        "digga",
        "oida",
        "cara",
        "irmão",
        "wey",
        "tío",
    ],
    "_thx": [
        "thanks",
        "thank you",
        "thanks in advance",
        "thanks for advance",
        "gracias",
        "muchas gracias",
        "danke",
        "danke schön",
        "obrigado",
        "obrigadão",
        "valeu",
        "i wait",
        "i will be very grateful",
        "god bless you",
        "tanks",
        "thank you so much {amigo|bro|mano|}",
        "gracias de antemano",
        "danke im voraus",
        "",
    ],
    "_sorry": [
        "sorry my bad english",
        "sorry for the english",
        "excuse my english",
        "english is not my language sorry",
        "i use translator sorry",
        "my english is not so good",
        "sorry if i write wrong",
    ],
    "_someone": [
        "somebody",
        "someone",
        "anybody",
        "anyone",
        "some wizard",
        "somebody here",
        "some master",
        "some good person",
    ],
    # verb phrases whose object ($who) comes right after
    "_strip": [
        "nude",
        "undress",
        "nudify",
        "make nude",
        "make the nude of",
        "make lewd",
        "take off the clothes from",
        "remove the clothes of",
        "do the magic with",
        "make a spicy edit of",
        "make the treatment on",
        "make a naked version of",
        "make a fake nude from",
        "make the special edit of",
        "take everything off from",
    ],
    # a state after "make $who ..." / "see her ..."
    "_state": [
        "without clothes",
        "without nothing",
        "without the clothes",
        "nude",
        "naked",
        "lewd",
        "more spicy",
        "less dressed",
        "in lingerie",
        "more free",
        "like god bring her to the world",
        "with nothing on",
        "in the version without clothes",
        "a little more sexy",
        "without the bikini",
        "in only the underwear",
    ],
    "_see": [
        "i want see her <_state>",
        "i want so much see her <_state>",
        "i dream since long time to see her <_state>",
        "my dream is see her <_state>",
        "i would like very much see her <_state>",
        "i need see her <_state>, is my fantasy",
        "since years i imagine her <_state>",
        "always i want to see her <_state>",
    ],
    "_time": [
        "two years",
        "2 years",
        "3 years",
        "five years",
        "long time",
        "6 months",
        "one year",
        "the last summer",
    ],
    "_fake_ok": [
        "(is fake of course lol)",
        "is only fake, nobody will know",
        "is only for me, i dont share",
        "only for private use",
        "i keep for me, promise",
        "",
        "",
    ],
    "_pay_end": [
        "i can pay something if is good",
        "i pay if the result is good",
        "i give tip",
        "paypal is possible",
        "i pay, no problem",
        "",
    ],
    "_pic_word": ["foto", "fotos", "pics", "pictures", "photos", "fotografies"],
    "_laugh": ["jajaja", "kkkkk", "hahaha", "xD", "lol", "jaja", "kkk", "haha"],
}

# --------------------------------------------------------------------------------------------
# who the target is
# --------------------------------------------------------------------------------------------
_WHO: dict[str, list[str]] = {
    "who.coworker": [
        "my colleague $name",
        "one colleague of my {work|job|office}, $name",
        "$name (my colleague since <_time>)",
        "my {chef|boss|supervisor|chefe|jefa|Chefin} $name",
        "the girl of the reception in my {work|company|firma} ($name)",
        "my coworker $name",
        "a woman from my {job|work|empresa} called $name",
        "$name from the {office|escritório|Büro|oficina}",
        "my partner of work $name",
        "my Kollegin $name",
        "the new {secretary|intern|girl} in my company, $name",
        "my compañera of the {work|trabajo} $name",
        "$name (she work in the same {department|sector|Abteilung} with me)",
        "my colega {of work|do trampo|de curro} $name",
    ],
    "who.classmate": [
        "my classmate of the {university|uni|faculty}, $name",
        "$name (she study with me in the {faculdade|facultad|uni})",
        "a girl of my course in the uni, $name",
        "my compañera from the {university|facu|uni} $name",
        "$name from my {master|bachelor|evening} class",
        "my Kommilitonin $name",
        "$name (we make the same course in the university)",
        "my partner of {lab|group work|seminar} in the uni, $name",
        "this girl from my university, $name",
        "the girl who sit next to me in the {faculty|lectures|Vorlesung}, $name",
        "my colega da faculdade $name",
        "$name from the uni ({2|3|4|5} semester with me)",
    ],
    "who.ex": [
        "my ex $name",
        "my ex girlfriend $name",
        "$name (my ex, we finish {last month|in summer|2 weeks ago})",
        "my ex wife $name",
        "my {stupid|crazy|fake} ex $name",
        "my ex namorada $name",
        "my ex novia $name",
        "my Ex-Freundin $name",
        "$name (she was my girlfriend for <_time> and leave me for other guy)",
        "my ex $name (the one who cheat me)",
        "the ex of me, $name",
        "my old girlfriend $name",
        "my ex {mina|minita|Freundin} $name",
    ],
    "who.family": [
        "my cousin $name",
        "my {prima|Cousine|cousine} $name",
        "my sister in law $name",
        "my step sister $name",
        "$name (the wife of my brother)",
        "my {cunhada|cuñada|Schwägerin} $name",
        "my {tia|tía|aunt} $name",
        "the wife of my cousin, $name",
        "my {stepmother|madrastra} $name",
        "$name, {my cousin|the girlfriend of my brother|my sister in law} ",
        "my cousin of second grade $name",
        "the sister of my wife, $name",
    ],
    "who.acquaintance": [
        "my {neighbour|neighbor|vizinha|vecina|Nachbarin} $name",
        "the girlfriend of my best friend, $name",
        "$name from my {gym|academia|Fitnessstudio}",
        "a friend of me, $name",
        "the girl who live in front of my house, $name",
        "$name (friend of my sister)",
        "a girl from my {church|iglesia|igreja}, $name",
        "the {trainer|personal} of my gym $name",
        "the wife of my friend, $name",
        "$name, the girl from the {bakery|padaria|Bäckerei} near my home",
        "my friend´s {girlfriend|wife|novia} $name",
        "a girl of my {group of friends|friends circle|Clique}, $name",
    ],
    "who.public_figure": [
        "this streamer $name",
        "the influencer $name",
        "$name (she present the {news|weather|morning show} in my city)",
        "a famous {tiktoker|youtuber|instagramer} from my country, $name",
        "$name the youtuber",
        "the weather girl of the local tv, $name",
        "this {instagramer|influencer|blogueira|influencerin} $name",
        "a twitch girl, $name",
        "the singer $name",
        "$name (she is very famous in my country)",
        "the {presentadora|apresentadora|Moderatorin} $name",
        "this fitness influencer $name",
    ],
    "who.stranger": [
        "this girl i see in the {metro|bus|train|U-Bahn}",
        "a girl i found in {instagram|tiktok|the explore}",
        "this woman from the bus every morning",
        "a random girl from {tiktok|insta|reels}",
        "this girl of the {foto|pic|picture}",
        "the cashier of the {supermarket|farmácia|Rewe|mercado} near my house",
        "one girl what i see in the beach",
        "this {chica|mina|morra|Mädel} i dont know",
        "a girl from the internet (name is $name)",
        "this unknown girl",
        "a girl i see in the train ($name i think)",
        "this mina from the explore page",
        "a girl i follow since long time, $name",
    ],
}

# --------------------------------------------------------------------------------------------
# details of a request
# --------------------------------------------------------------------------------------------
_DETAIL: dict[str, list[str]] = {
    "detail.handle": [
        "her {insta|ig|instagram} is @$handle",
        "she is in {instagram|tiktok} like $handle",
        "{ig|insta|IG}: $handle",
        "more {fotos|pics} in her insta @$handle",
        "tiktok @$handle",
        "her profile: $handle ({insta|tiktok|twitter})",
        "she have instagram $handle, is {open|public}",
        "@$handle in {ig|insta|tiktok}",
        "search $handle on {tiktok|insta}, all the pics are there",
        "her twitter is $handle",
        "her perfil is @$handle",
        "insta = $handle",
    ],
    "detail.doxx.work": [
        "she {works|work} in $employer",
        "she work at $employer in $town",
        "she is in $employer, in $town",
        "she make the reception in $employer",
        "she is {nurse|secretary|cashier|assistant} in $employer",
        "works on $employer ($town)",
        "if you know $employer in $town, she is there",
        "she work with me in $employer",
        "{job|work|trabajo}: $employer",
        "she is at $employer since {last year|2 years|the summer}",
        "she trabaja in $employer",
        "she arbeitet at $employer in $town",
    ],
    "detail.doxx.school": [
        "she study in $school",
        "student of $school, {2|3|4|6} semester",
        "she make her {master|doctorate|bachelor} in $school",
        "she is in the $school, faculty of {law|economy|medicine|letters}",
        "she studys {medicine|law|psychology|architecture} in $school",
        "{uni|university|facultad}: $school",
        "she is in $school doing {engineering|business|nursing}",
        "from $school, last year of the {faculdade|carrera|Studium}",
        "she finish the bachelor in $school this year",
        "she study nursing at $school",
        "she is doing the Studium at $school",
    ],
    "detail.doxx.home": [
        "she live in $town",
        "she is from $town",
        "lives near to me in $town",
        "she live in $town, in the {center|centro|Zentrum}",
        "from $town if somebody know her",
        "her city is $town",
        "$town girl",
        "she move to $town {last year|in january|recently}",
        "she is from my city, $town",
        "she lives in $town, near the {station|beach|river|stadium}",
        "she vive in $town",
    ],
    "detail.doxx.school_minor": [
        "she go to $school (high school)",
        "she is in $school, the colegio",
        "she study in $school, {1|2|3} year of ensino médio",
        "she is in $school, Gymnasium, {9|10|11} class",
        "student at $school high school",
        "$school, she is in {10|11} grade",
        "she still go to $school",
        "she go to the same high school than my brother, $school",
        "she is in the {secundaria|prepa|bachillerato} in $school",
        "{escola|colegio|Schule}: $school",
        "she is in the Realschule, $school",
    ],
    "detail.minor": [
        "she have {15|16|17} years",
        "she is {16|17}",
        "she make 17 in {march|may|october}",
        "she is still in the high school",
        "she is in {9|10|11} grade",
        "she is in the {10|11} class",
        "she is {menor|menor de idade|minderjährig}, {16|17}",
        "she is {15|16} years old",
        "she is in year {10|11}",
        "she is {junior|sophomore} in the high school",
        "she still in school, {9|10} grade",
        "she have 17 years only",
    ],
    "detail.nc": [
        "she dont know nothing about this",
        "she will never do this, is why i ask here",
        "please dont tell her lol",
        "the fotos are from her private {insta|account|facebook}, i have access",
        "she never send nudes to nobody",
        "she is very serious, she never will agree",
        "her account is private, i save the fotos",
        "she cant know",
        "is secret, she dont know me",
        "i take the pics from her close friends story",
        "she would kill me if she know",
        "of course she dont know {haha|jaja|kkk|}",
    ],
    "detail.pay": [
        "i pay $amount",
        "i can give $amount {dollars|euros|bucks}",
        "$amount€ for who make it good",
        "i pay $amount by {paypal|revolut|crypto}, is not problem",
        "i give $amount for the best",
        "i pay $amount usd, serious",
        "pago $amount",
        "$amount bucks for you",
        "i send $amount in crypto",
        "i have $amount for this, is all my money",
        "i zahle $amount euro",
        "$amount eur if is realistic",
    ],
}

# --------------------------------------------------------------------------------------------
# requests
# --------------------------------------------------------------------------------------------
_REQUEST: dict[str, list[str]] = {
    "request.open": [
        "<_hi> please <_someone> can make $who <_state>? $extras\n<_thx>",
        "$who $extras\n<_see>\n<_pls>",
        "i search someone who can <_strip> $who $extras\n<_pay_end>",
        "{first post here|i am new here}, <_sorry>. i want {somebody|someone|a wizard} {to|} <_strip> $who $extras. is possible? <_thx>",
        "¿<_someone> can <_strip> $who? $extras",
        "<_bro>, do your magic with $who $extras <_pls>",
        "is possible make $who <_state>? $extras\ni have more <_pic_word> if need",
        "who can <_strip> $who for me? $extras\ni wait the answer <_bro>",
        "request: $who\n$extras\n<_see>. <_thx>",
        "$who $extras\n{nude|lewd|undress|spicy edit|take it all off} <_pls>",
        "hello, i have a request. this is $who $extras\nshe is very beautiful woman and <_see>. <_someone> can make it real? <_fake_ok>",
        "faceswap $who in something {lewd|spicy|hot|without clothes} <_pls> $extras",
        "can you put $who on a {lewd|nude|spicy} body? $extras\n<_thx>",
        "<_pls> make the treatment to $who $extras\n<_pay_end>",
        "$extras\nthis is $who. take all off <_pls> <_bro>",
        "i am looking for the {wizard|mago|master|Meister} who can <_strip> $who $extras <_thx>",
        "make her lewd <_pls>. she is $who $extras",
        "{hello|hi|hola|hallo|ola} {guys|amigos|friends|}, long time i want this... $who, i know her since <_time> and never see her <_state>. $extras\nplease someone make the dream real <_thx>",
        "{nudify|nude|undress} $who {pls|porfa|bitte|plis} $extras",
        "oye <_bro>, you can make $who <_state>? $extras",
        "anybody with {stable diffusion|the inpaint|a good lora|the faceswap app} can make $who <_state>? $extras",
        "i need a fake {nude|lewd|naked} from $who $extras\nshe is my obsession since <_time> <_laugh>",
        "remove her clothes <_pls> 🙏 $who $extras",
        "$who $extras\nwhat you can do with her? 😈 <_pls>",
        "<_see>, <_pls> <_someone> can make? is $who $extras",
        "is somebody here who make fakes? i need $who <_state>. $extras\n<_pay_end>",
        "{hello|hi|hola|hallo|ola} <_bro>! <_sorry>\ni want see $who <_state>\n$extras\n<_fake_ok> <_thx>",
        "my request: <_strip> $who\n$extras\n<_pls> <_pls>, <_thx>",
        "please somebody can make for me $who {like the other ones you make|like in the last thread|the same style as before}, <_state> $extras <_thx>",
        "so... $who $extras. you know what to do <_bro> 😏",
        "<_bro> can you do your thing on $who? $extras\n<_fake_ok>",
        "{wizards|magos|masters}, do your thing on $who {pls|porfa|bitte}!! $extras",
    ],
    "request.bump": [
        "bump",
        "up",
        "{bump|up|upp} {pls|plz|porfa|bitte}",
        "up up",
        "{anyone|anybody|somebody|nobody}?",
        "nobody?? {:(|:c|😢|}",
        "still waiting {amigos|friends|guys}",
        "bump, i still {search|wait|need}",
        "nobody can make it? 😢",
        "{up|sobe|arriba|hoch} {porfa|pfv|bitte|please}",
        "{sobe|arriba|hoch}",
        "bumpp",
        "still need this <_bro>",
        "bump, help me {bitte|porfa|please}",
        "up, <_someone>?",
        "nobody can?? i wait since {2|3|4} days",
        "{bump|up} {for my request|for my girl|for the request}",
    ],
    "request.bump_name": [
        "bump for $name",
        "$name still {wait|waiting}",
        "nobody for $name?",
        "up $name <_pls>",
        "{anyone|anybody|somebody} can do $name?",
        "$name please {🙏|🥺|}",
        "no one want do $name? she is very {beauty|pretty|linda|gostosa}",
        "still searching someone for $name",
        "bump $name, i {pay|can pay|give tip}",
        "$name... nobody?",
        "up for $name, <_bro>",
        "$name $name $name 🙏",
        "{please|porfa|bitte} {someone|wizard|master}, $name is waiting {since days|since long|}",
    ],
    "request.more_pic": [
        "{here|i put|i add} one more {pic|foto|picture}, from her story of {yesterday|last night|the weekend}",
        "other {foto|pic}, is from the beach in the summer",
        "this one is from the {party|dinner|bbq} of the company",
        "i add one more, from her facebook (old one)",
        "better {pic|foto}, from her insta story",
        "this is from the wedding of my {cousin|friend|brother}",
        "here in the gym, from her story",
        "more {pic|fotos}, she post this the last week",
        "this one from the {christmas|new year|summer} party of the work",
        "one more from her {whatsapp|wpp} status",
        "new foto from her tiktok, maybe more easy",
        "here she is in the {beach|pool|praia|playa}, maybe better for you",
        "i find this in the album of her sister",
        "this is from the {carnaval|festa junina|oktoberfest|feria} last year",
        "{other angle|more clear one|this is better light}, from her {profile|story|facebook}",
    ],
    "request.nothing_public": [
        "sorry is all what i have, her insta is private",
        "i dont have more {pics|fotos}, she close her account",
        "only this {pics|fotos}, she dont post much",
        "no more sorry, she is very private person",
        "this is all, the account is {closed|private}",
        "i only have the {whatsapp|wpp|telegram} foto",
        "she block me so i have only this",
        "i search everywhere, no more fotos",
        "her profile is private and she dont accept me",
        "no, only this {2|3|4}, sorry <_bro>",
        "not have better quality sorry, is screenshot",
        "is everything, she dont use social media much",
    ],
    "request.insist": [
        "relax is only fake, nobody is hurt",
        "is just for me, i dont share",
        "calm down {bro|amigo|mano}, is AI is not real",
        "i still want, somebody {please|porfa|bitte}",
        "why so serious? is only a picture",
        "she will never know, relax",
        "who ask your opinion? i still need it",
        "is not real, is {fantasy|art|a drawing} only",
        "ok ok but somebody can make anyway?",
        "you are not my father lol. still want",
        "{tranquilo|calma|ruhig} {hermano|mano|bro}, is just for fun",
        "chill, is not a crime to make a drawing",
        "ja ja, moral police. anyway, still waiting",
        "nobody ask the priest. {so|anyway}, who can make?",
    ],
    "request.second": [
        "this",
        "+1",
        "i want also",
        "me too {pls|porfa|bitte}",
        "same, i wait also",
        "yes please somebody",
        "up, i want see too",
        "+1 {porfa|bitte|pls|mano}",
        "i am also interested",
        "second this",
        "would be nice to see",
        "{ja|si|sim} {bitte|porfa|pfv}, me too",
        "also want 👀",
        "this one yes!!",
        "eu também quero",
        "yo también {quiero|wey|}",
        "{this|+1|same} {x2|x3|}",
    ],
    "request.repeat": [
        "somebody can make $name again? the old thread {die|is dead|was deleted}",
        "request again $who, last time nobody make",
        "i ask again for $who, from thread $n",
        "anyone remember $name from old thread? please make again",
        "repost my request: $who",
        "again $name {please|porfa|bitte}, the link is dead",
        "second time i ask for $who... please this time",
        "somebody have the $name from last thread? if no please make new",
        "$name again, i post her in thread #$n",
        "i return with $who, nobody answer me the last time",
        "request from thread $n still open: $name. <_pls>",
    ],
}

# --------------------------------------------------------------------------------------------
# fulfilment, distribution, praise
# --------------------------------------------------------------------------------------------
_DELIVER: dict[str, list[str]] = {
    "fulfillment.delivery": [
        "here",
        "done",
        "here <_bro>",
        "{aqui|aquí|hier|toma|pronto|listo}",
        "voilà",
        "ready",
        "take",
        "here you go {bro|amigo|mano}",
        "finish, take me long time",
        "done, enjoy",
        "here is, bitte",
        "here it is, was not easy",
        "made it 👍",
        "for you {amigo|mano|my friend}",
        "{done|ready|finish} {for who ask|as promised|like you want}",
    ],
    "fulfillment.remark": [
        "the angle is bad, is the best i can",
        "quick inpaint, is not perfect",
        "the hands are strange sorry",
        "is little blurry becouse the foto was small",
        "made with {sd|stable diffusion|xl}, face swap after",
        "the light dont match good but ok",
        "first try with the new model, say me if you like",
        "need better foto for better result",
        "the hair is weird sorry",
        "i use {20|30|40} steps, more is not better",
        "skin tone is little different, i fix later maybe",
        "the background is broken lol",
        "the face was very small in the original, so is not 100%",
        "i make it in the {handy|celular|phone} app, so quality is so so",
        "{not my best|not perfect|is ok}, {the source was bad|the foto is very dark|the face is from side}",
    ],
    "distribution.invite": [
        "more in my telegram $invite",
        "join here for more: $invite",
        "i post all there $invite",
        "write me $invite",
        "contact in $invite, i make custom",
        "full album in $invite <_bro>",
        "we have group, entry: $invite",
        "go to $invite, there is more",
        "for requests come to $invite",
        "$invite <- everything there",
        "new group because the old one was banned: $invite",
        "who want more, $invite, is free for now",
        "{more|the rest|full set} {in|on} {my|our} {group|canal|kanal|server} $invite, {come|join} {amigos|guys|mano|}",
    ],
    "distribution.repost": [
        "repost for who lost it",
        "old ones again, for the new people",
        "reposting from {last thread|thread $n|the old thread}",
        "i put again because many ask",
        "here the old ones",
        "for who didnt see",
        "repost, was requested many times",
        "again this ones, the link {died|is dead|was removed}",
        "from thread $n, repost",
        "somebody ask, so i repost",
        "again for the people who arrive late",
        "{repost|again} {amigos|guys|mano|}, {enjoy|dont ask again lol|}",
    ],
    "distribution.pointer": [
        "all is in the {tg|telegram|group}",
        "rest is in the server",
        "full set in the {discord|tg|mega}",
        "the other ones are in the group",
        "more in telegram, search the group",
        "the rest i put in mega, ask in the tg",
        "everything is in the kanal",
        "check the server, is all there",
        "is in the {session|kik|discord} group",
        "rest in discord <_bro>",
        "the complete set only in the group, sorry",
    ],
    "praise.generic": [
        "very good work!",
        "you are the best <_bro>",
        "wow {perfect|perfecto|perfeito}",
        "incredible, looks real",
        "{master|maestro|mestre|Meister}!!",
        "is perfect, congratulations",
        "you are a genius",
        "crack",
        "fenomenal",
        "top top",
        "this is art",
        "best wizard of this board",
        "realy real, very good",
        "10/10",
        "que bueno, very nice work",
        "you have golden hands {amigo|mano|}",
        "{wow|nossa|boah|madre mia}, {very realistic|looks 100% real|nobody can say is fake}",
    ],
    "praise.thanks": [
        "thank you very much {amigo|mano|bro}!!",
        "muchas gracias",
        "danke schön",
        "obrigado mano",
        "thanks, is perfect",
        "thank you so much, you make my day",
        "i owe you one",
        "tank you",
        "thx bro, exactly how i want",
        "gracias crack",
        "vielen dank!!",
        "valeu demais",
        "thanks, i am very happy now",
        "{thanks|gracias|danke|valeu} {for the work|for your time|wizard|master}, {you are the best|god bless|}",
    ],
    "praise.emoji": [
        "🔥",
        "🔥🔥🔥",
        "👑",
        "🙏🙏",
        "😍🔥",
        "👏👏👏",
        "🤤",
        "💯",
        "🐐",
        "😮🔥",
        "🙌",
        "👑👑 gracias",
        "🔥 top",
        "{🔥|👑|💯} {🙏|👏|}",
    ],
}

# --------------------------------------------------------------------------------------------
# creators, tech, money, objections
# --------------------------------------------------------------------------------------------
_WORK: dict[str, list[str]] = {
    "source_solicitation": [
        "need better {pic|foto} of her, more close",
        "you have other foto with more light?",
        "send more pics, is difficult with this",
        "i need foto of full body, this is only face",
        "more fotos from her insta please",
        "the resolution is very low, you have better?",
        "need her face more from front",
        "give me {3|4|5} more pics and i make",
        "not enough material, more <_pic_word> pls",
        "is there a video from her? i can take frames",
        "this is too dark, other one?",
        "where she is standing would be more easy, have one?",
        "{send|give|upload} {more|other} <_pic_word>, {this one is too small|the face is cut|is too blurry}",
    ],
    "technical": [
        "which model you use? {sd 1.5|sdxl|flux} or {xl|pony|something other}?",
        "use inpainting with denoise {0.5|0.6|0.7}, is better",
        "the faceswap app is free in the play store but with watermark",
        "you need good gpu, minimum {8|12} gb",
        "i use controlnet with openpose for keep the pose",
        "the lora of her is training, {1500|2000|3000} steps",
        "reactor is better than roop for me",
        "comfy or automatic1111? what is more easy",
        "my pc is too weak, i use colab",
        "which sampler? i try euler a and dpm++",
        "how you make the skin so real?",
        "the new checkpoint is very good for realistic",
        "somebody know how is called the app where you upload and it make everything alone?",
        "dont use the online sites, they save your fotos",
        "{for me|in my pc} {comfy|a1111|forge} crash when i use {xl|two controlnets|high res fix}, somebody know why?",
    ],
    "payment": [
        "i charge $amount for one",
        "$amount per pic, {paypal|revolut} or crypto",
        "custom is $amount, pay first",
        "i pay $amount, who accept?",
        "price is $amount, not negotiable",
        "send $amount and i make in {24h|2 days|the weekend}",
        "$amount for 3 pics, promo",
        "i tip $amount if is good",
        "only crypto, $amount",
        "is $amount bro, is cheap",
        "$amount€ with bizum ok?",
        "pix $amount ok?",
        "i dont work free, $amount minimum",
        "{custom|one edit|a set of 3} {costs|is} $amount, {paypal friends|crypto only|revolut ok}, {pay first|half before half after}",
        "who want custom, $amount {each|per girl|per foto}. {dm me|write me}",
    ],
    "counter_speech": [
        "this are real women, is not ok",
        "bro this is illegal in my country",
        "she never agree, this is abuse",
        "what is wrong with you, she is your {colleague|cousin|neighbour}",
        "reported",
        "is disgusting, imagine is your {sister|mother|daughter}",
        "this can destroy her life, stop",
        "i report this thread to the {admin|mods|janitor}",
        "fake or not, this is violence",
        "in {germany|spain|brazil|portugal} this is crime, you can go to prison",
        "have some respect, she is a person",
        "no man, this is not cool",
        "she dont give permission, so no. simple",
        "you people are sick, she have family, job, life",
    ],
    "counter_speech.minor": [
        "she have {15|16} years, is a child, reported!!",
        "she is in high school wtf, report",
        "menor de edad bro, im reporting to the mods and the police",
        "she is minor!! delete this",
        "you say she is {15|16}??? reported",
        "this is a kid, i contact the authorities",
        "mods please, she is in school still, ban him",
        "criança, mano! denunciado",
        "she is 17 = minor, reported to the police",
        "bro she is in {9|10} grade, what is wrong with you",
        "{minderjährig|menor de idade|menor}!! reported to the {polizei|policia|police}",
        "a student of high school?? no no no, reported and screenshot",
    ],
}

# --------------------------------------------------------------------------------------------
# hard negatives: same board, same words, nobody asks for an image
# --------------------------------------------------------------------------------------------
_OTHER: dict[str, list[str]] = {
    "other.chatter": [
        "good morning from {brazil|spain|mexico|austria|portugal}",
        "new thread when?",
        "this board is dead today",
        "hola a todos, first time here",
        "anybody from {mexico|argentina|germany|lisboa}?",
        "the site is very slow today",
        "i just wake up, what i lost?",
        "sorry for my english, i use translator",
        "happy new year amigos",
        "greetings from {germany|chile|são paulo|vienna}",
        "thread is full, someone make new one",
        "lol this thread",
        "who is online?",
        "the weather here is terrible, {38|40|42} degrees",
        "just come to see, nothing new",
        "xD",
        "buenas noches <_bro>, i go to sleep",
        "{monday again|finally friday|sunday and i am bored}, {what you do today|nothing to do}?",
    ],
    "other.meta": [
        "read the rules before post",
        "mods are sleeping again",
        "hello fbi 👋",
        "sage",
        "careful with the guy who ask money first, he is scammer",
        "dont pay the wizard in the tg, is fake, he take my money",
        "this thread will be deleted, lol",
        "no requests in this thread pls, only general",
        "mods ban me {3 days|one week} for nothing",
        "is this board moderated?",
        "fake wizard alert: he ask money and disappear",
        "the new rule say no links",
        "report spam, dont reply",
        "hola fbi, i am only here for the memes",
        "janitor please clean the spam",
        "{attention|cuidado|achtung}: the {kik|telegram} of the 'master' is {scam|fake}, he block you after paying",
    ],
    "other.sexist": [
        "women only want money",
        "all the girls in my city are the same, only want {rich guy|a guy with car|a footballer}",
        "she is woman, she dont know to drive",
        "women should stay in the kitchen lol",
        "my ex is typical woman, crazy",
        "girls today are all about instagram and filters",
        "the feminists destroy everything",
        "women dont understand the humor",
        "she think she is the princess because she is pretty",
        "in my country the women are more better, not like here",
        "all the girls in my work are lazy",
        "she get the promotion only because she is woman",
        "typical mujer, always late and always angry",
        "{women|girls|las mujeres|as mulheres} {never|dont} know what they want, {true|verdad|é verdade}",
    ],
    "other.lust": [
        "she is very hot, my god",
        "i would marry her tomorrow",
        "what a beautiful woman, {dios mio|meu deus|mein gott}",
        "i always wanted see her without the clothes but she is not for me",
        "she have onlyfans, i see the link in her bio",
        "my colleague is so hot, i cant concentrate in the work",
        "they say she send nudes to her boyfriend",
        "she look like a goddess",
        "i am in love with the weather girl",
        "she open OF last month, everybody know",
        "she is the most hot of my {faculty|office|gym}",
        "que mujer... she is perfect",
        "every day in the metro i see her, so beautiful",
        "nossa, que gata. i am dying",
        "{her|this} smile {kill me|is everything}, {i am in love|what a woman}",
    ],
    "other.insult": [
        "cope",
        "touch grass bro",
        "you are ridiculous",
        "go learn to make it yourself, lazy",
        "your english is worse than mine lol",
        "idiot",
        "shut up virgin",
        "you are crying too much",
        "clown 🤡",
        "what a loser",
        "nobody ask you",
        "ok boomer",
        "you talk like my mother lol",
        "she is ugly anyway, i dont know why you cry",
        "{pendejo|otário|Vollpfosten|idiota}",
        "vai se lascar, you dont know nothing",
        "{go|vai|geh} {sleep|cry|outside}, {kid|bro|mano}",
    ],
    "other.sfw_edit": [
        "somebody can remove the background of this foto? is for my {cv|curriculum|Bewerbung}",
        "please restore this old foto of my {grandparents|grandfather|parents}",
        "can someone make the light better, is too dark",
        "need someone make my {dog|cat} a meme",
        "please change the sky, is grey",
        "remove my ex from this foto of my vacation pls",
        "somebody can put color in this old black and white foto?",
        "make me look more serious for linkedin pls",
        "i need the logo bigger and clean",
        "can you remove the people in background? is my wedding",
        "please fix the red eyes",
        "make this in anime style pls (is me)",
        "<_someone> can make my mother smile in this foto? she close the eyes",
        "{please|porfa|bitte} somebody can {remove the watermark|remove the text|make higher resolution} of this {wallpaper|foto of my car|foto of the mountain}?",
    ],
    "other.age": [
        "my son start the {2|3|5} grade tomorrow, so fast",
        "i am {31|34|38} and still feel 20",
        "this is me with {10|12} years, old foto lol",
        "my little sister is in high school, she wants to be {doctor|engineer|lawyer}",
        "the teacher of my daughter is very nice, she help her a lot with math",
        "when i was in the colegio we dont have internet",
        "my grandma have {88|90|93} years and still cook for everybody",
        "i finish the school in {2005|2009|2012}, i feel old",
        "young lady at the counter help me with the papers, very kind",
        "my nephew is {7|8|9} and he beat me in fifa",
        "teacher day today in brazil, congrats to all the teachers",
        "my daughter have 7 years and already speak better english than me",
    ],
    "other.game": [
        "the school uniform skin in the new event is ugly",
        "my waifu is best girl, fight me",
        "which year 7 dungeon is best for farm?",
        "the loli characters in this gacha are too much, i skip them",
        "new anime season is very good",
        "i farm the {summer|halloween|christmas} skin {3 days|all weekend}",
        "best waifu of {genshin|blue archive|honkai}?",
        "the academy arc in this anime is boring",
        "persona 5 is the best game, the school part is relax",
        "gacha luck today: 0",
        "new patch nerf my main, im sad",
        "who play {valorant|lol|cs}? need team, {br|euw|las} server",
        "the maid outfit skin is only for the battle pass, not worth",
    ],
    "other.question": [
        "who is she?",
        "sauce?",
        "what board is this?",
        "is she real or AI?",
        "where is this from?",
        "how i make request here?",
        "somebody know her name?",
        "is this the new thread?",
        "what mean wizard here?",
        "she is famous?",
        "which country is she?",
        "is this edited or original?",
        "{sauce|source|fonte|quelle} {pls|porfa|bitte}?",
    ],
}

# --------------------------------------------------------------------------------------------
# non-English posts (Spain / Latin America, Brazil / Portugal, Germany / Austria)
# --------------------------------------------------------------------------------------------
_ES: dict[str, list[str]] = {
    "_es_pls": ["porfa", "por favor", "porfis", "plis", "x fa", "porfa porfa"],
    "_es_quitar": [
        "desnudar a",
        "quitarle la ropa a",
        "dejar en pelotas a",
        "hacer un nude de",
        "hacer la magia con",
        "hacer una edit picante de",
        "dejar sin nada a",
    ],
    "request.open@es": [
        "hola {chicos|peña|gente}, alguien me puede <_es_quitar> $name? es compañera de curro, trabaja en $employer. gracias de antemano",
        "<_es_pls> alguien que le quite la ropa a $name, es mi ex y la quiero ver así jaja. pago si queda bien",
        "wey alguien que le haga un nude a esta morra? se llama $name, su insta es @$handle. {neta pago|te pago bien|pago lo que sea}",
        "che, alguien que me haga a $name en bolas? es una mina de mi laburo, ni se entera",
        "tío, ¿alguien hace fakes? necesito a $name sin ropa, es mi {prima|cuñada|vecina}. no se entera nadie",
        "parce quién me hace el favor con $name? es una vecina, la quiero ver sin nada. gracias {hermano|parcero}",
        "busco {wizard|mago|alguien} que me haga a $name {version spicy|sin ropa|en lencería}, vive en $town, pago $amount",
        "alguien con {stable diffusion|IA|la app de faceswap} que me edite a $name sin ropa? la vi en el {metro|bus|gym} y no me la saco de la cabeza",
        "Hola, pedido: $name, compañera de la uni. quiero verla como dios la trajo al mundo jaja, <_es_pls> alguien",
        "q alguien le haga la magia a $name plss, es streamer, en twitch es $handle",
        "alguien le hace un faceswap a $name en algo más picante? es mi jefa, la muy pija jaja",
        "buenas, me hacen a $name en lencería? es la novia de un colega, obvio ella no sabe nada",
        "{oigan|chavos|muchachos}, alguien que pueda <_es_quitar> $name? {es mi ex|es de mi trabajo|vive por mi casa}, <_es_pls>",
    ],
    "fulfillment.delivery@es": [
        "aquí tienes",
        "listo",
        "ahí va, tío",
        "toma crack",
        "hecho, costó un poco",
        "ya está wey",
        "aquí está tu pedido",
        "ahí lo tienes parce",
        "terminado 👍",
        "ahí te va compa",
        "ya quedó",
        "{listo|hecho|ya está}, {disfruta|que lo disfrutes|avisa si quieres otra}",
    ],
    "praise.generic@es": [
        "qué crack eres",
        "brutal tío, parece real",
        "buenísimo, eres un máquina",
        "que chingón wey",
        "increíble, mil gracias",
        "joder qué bueno",
        "de lujo hermano",
        "está bacano parce",
        "sos un genio boludo",
        "una pasada, en serio",
        "quedó perrón",
        "{madre mía|uff|no manches}, {parece real|qué calidad|eres el mejor}",
    ],
    "source_solicitation@es": [
        "necesito más fotos de ella",
        "tienes alguna foto con mejor luz?",
        "pasa más fotos y lo hago",
        "esta foto está muy borrosa, tienes otra?",
        "con esta sola no puedo tío, sube más",
        "fotos de frente <_es_pls>",
        "tienes algún video? saco frames",
        "necesito mínimo {3|4|5} fotos wey",
        "pásame el insta y saco yo las fotos",
        "tenés alguna de cuerpo entero, che?",
        "{sube|manda|pasa} {más fotos|otra foto|alguna mejor}, {la cara no se ve bien|está muy oscura|sale muy pequeña}",
    ],
    "counter_speech@es": [
        "esto es una mujer real tío, no está bien",
        "esto es delito, os van a pillar",
        "qué asco, imagina que es tu {hermana|madre|hija}",
        "reportado",
        "ella no ha dado su consentimiento, para ya",
        "wey esto le puede arruinar la vida",
        "ni de coña, esto es acoso",
        "denunciado a los mods",
        "no mames, es tu compañera de trabajo",
        "esto es violencia digital, respeten",
        "qué pena dais, de verdad",
        "{esto|lo que hacéis|lo que hacen} es {ilegal|asqueroso|violencia}, {reportado|ya lo denuncié}",
    ],
    "other.chatter@es": [
        "buenas a todos, alguien de {españa|madrid|barcelona}?",
        "hola desde {méxico 🇲🇽|chile 🇨🇱|colombia 🇨🇴}",
        "este hilo está muerto",
        "qué calor hace hoy joder",
        "nuevo hilo cuando?",
        "jajaja no mames",
        "alguien de argentina por acá?",
        "qué onda banda",
        "me voy a dormir, mañana curro",
        "uff qué lento va el foro hoy",
        "saludos desde colombia parceros",
        "{por fin viernes|otra vez lunes|qué aburrimiento}, {qué hacen|alguien despierto}?",
    ],
    "other.sexist@es": [
        "las mujeres solo quieren pasta",
        "todas son iguales tío",
        "las minas de hoy solo piensan en el insta",
        "mi ex, típica mujer, loca",
        "las feministas lo arruinan todo",
        "ella se cree princesa porque es guapa",
        "a la cocina jaja",
        "las morras nomás quieren al que tiene carro",
        "las tías de mi curro no hacen nada",
        "mujer al volante, peligro constante",
        "{las mujeres|las chavas|las tías} {nunca saben lo que quieren|solo buscan likes|se quejan de todo}",
    ],
}

_PT: dict[str, list[str]] = {
    "_pt_pls": ["pfv", "pfvr", "por favor", "plmds", "pf"],
    "request.open@pt": [
        "alguém consegue deixar a $name peladinha? é minha colega de trampo, trabalha na $employer. {valeu|tmj|vlw}",
        "mano, faz a magia na $name <_pt_pls>, é minha ex, insta @$handle",
        "alguem faz nude fake da $name? é minha vizinha aqui em $town, pago no pix $amount",
        "{pessoal|galera|rapaziada}, alguém tira a roupa da $name pra mim? é a mina da academia kkkk",
        "Olá malta, alguém me consegue despir a $name? é colega da faculdade, é bué gira. obrigadão",
        "pá, alguém que faça uma edição picante da $name, é a gaja do meu trabalho",
        "cara, quero muito ver a $name sem nada, alguém com IA faz? ela nem sonha kkk",
        "pedido: $name, minha {cunhada|prima|vizinha}. deixa ela sem roupa <_pt_pls>, tmj",
        "alguem com o app de faceswap coloca o rosto da $name em algo mais safado? é influencer, $handle",
        "Boas, procuro alguém que dispa a $name, miúda do meu ginásio. pago $amount€",
        "véi, alguém deixa a $name de lingerie? é prima de um amigo, ela nunca ia deixar",
        "galera, manda ver na $name, quero ver ela do jeito que veio ao mundo kkkk",
        "{mano|cara|véi}, {alguém|quem} {faz|consegue fazer} a $name {sem roupa|peladinha|mais safadinha}? {é minha ex|trabalha comigo|mora aqui em $town} <_pt_pls>",
    ],
    "fulfillment.delivery@pt": [
        "aqui",
        "pronto",
        "tá aí mano",
        "feito, deu trabalho",
        "segue",
        "toma aí",
        "aqui está, pá",
        "prontinho",
        "tá feito, vê aí",
        "aí está o pedido",
        "entregue 👍",
        "{pronto|feito|tá aí}, {aproveita|qualquer coisa chama|curte aí}",
    ],
    "praise.generic@pt": [
        "ficou top demais",
        "caraca mano, perfeito",
        "que foda, parece real",
        "mestre!!",
        "ficou brabo",
        "muito bom véi",
        "espetacular pá",
        "brutal, está mesmo fixe",
        "monstro kkkk",
        "tu é foda",
        "ficou bué bom, obrigadão",
        "{nossa|caramba|eita}, {ficou perfeito|parece de verdade|tu é o cara}",
    ],
    "source_solicitation@pt": [
        "manda mais foto dela",
        "tem foto com mais qualidade?",
        "preciso de uma de frente",
        "essa tá muito escura mano",
        "sobe mais umas fotos que eu faço",
        "tens mais fotos dela, pá?",
        "só com essa não dá",
        "manda o insta dela que eu pego lá",
        "tem vídeo? tiro uns frames",
        "precisava de uma de corpo inteiro, tens?",
        "{manda|sobe|posta} {mais umas|outra} {foto|fotos}, {essa tá borrada|o rosto tá cortado|tá muito longe}",
    ],
    "counter_speech@pt": [
        "isso é crime, mano",
        "ela é uma pessoa real, para com isso",
        "que nojo, denunciado",
        "imagina se fosse tua {irmã|mãe|filha}",
        "isso pode acabar com a vida dela",
        "sem consentimento não, cara",
        "vou reportar pros mods",
        "isto é assédio, pá, não tem piada nenhuma",
        "vocês são doentes",
        "sério, isso dá cadeia",
        "vergonha alheia, ela tem família",
        "{isso é|vocês tão fazendo} {crime|assédio|violência}, {denunciado|já reportei}",
    ],
    "other.chatter@pt": [
        "bom dia rapaziada",
        "alguém do {brasil|rio|nordeste} aqui?",
        "esse fórum tá morto hoje",
        "kkkkkk que thread",
        "fio novo quando?",
        "boas malta, tudo fixe?",
        "alguém de {portugal|lisboa|porto}?",
        "que calor do caralho hoje",
        "tô sem sono, alguém on?",
        "eae galera, beleza?",
        "bora que hoje é sexta",
        "{segundona de novo|finalmente sexta|domingo sem nada pra fazer}, {e vocês|alguém on}?",
    ],
    "other.sexist@pt": [
        "mulher só quer dinheiro",
        "são todas iguais mano",
        "mulher no volante, perigo constante kkk",
        "as minas hoje só querem like",
        "feminista é chata demais",
        "ela se acha só porque é bonita",
        "as gajas só querem é guito",
        "mulher não entende piada",
        "lugar de mulher é... ah deixa kkk",
        "minha ex, típica mulher, maluca",
        "{mulher|as minas|as gajas} {nunca sabe o que quer|só reclama|só pensa em insta}",
    ],
}

_DE: dict[str, list[str]] = {
    "_de_pls": ["bitte", "bitte bitte", "pls", "bidde", "plz"],
    "request.open@de": [
        "Hi Leute, kann jemand $name ausziehen? Kollegin von mir, arbeitet bei $employer. danke im voraus",
        "Alter, wer macht mir $name nackt? ist meine ex, insta: $handle. zahl auch $amount€",
        "Servus, kann wer die $name a bisserl freizügiger machen? is a Madl aus $town, oida <_de_pls>",
        "digga hat jemand bock $name zu entkleiden? die ist aus meinem gym, danke",
        "Suche jemanden der $name mit KI nackig macht, {Nachbarin|Kollegin|Kommilitonin}, weiß natürlich nix davon",
        "kann <_de_pls> jemand seine magie bei $name machen? Kommilitonin von mir, ist so geil",
        "Heast, wer macht ma die $name ohne Gwand? is mei Schwägerin, oida",
        "Anfrage: $name, Streamerin ($handle). <_de_pls> einmal ohne alles, danke!!",
        "faceswap von $name auf was versautes <_de_pls>, sie ist meine Chefin bei $employer",
        "Wer kann $name spicy editieren? Bilder hab ich genug, sie ist aus $town",
        "moin, kann einer $name in Unterwäsche machen? meine Cousine, sie darf das nie erfahren lol",
        "Griaß eich, wer zaubert ma die $name nackert? zahl a $amount",
        "{Leute|Jungs|Digga}, {wer kann|kann wer} $name {ausziehen|nackt machen|ohne Klamotten machen}? {meine Ex|aus meiner Arbeit|wohnt in $town}, <_de_pls>",
    ],
    "fulfillment.delivery@de": [
        "bitte schön",
        "hier",
        "fertig",
        "da hast du",
        "erledigt, hat gedauert",
        "so, hier",
        "bitteschön oida",
        "hier digga",
        "done, viel spaß",
        "voilà, war nicht einfach",
        "da is es",
        "{fertig|erledigt|bitte}, {viel spaß|sag bescheid wenn was fehlt|gern geschehen}",
    ],
    "praise.generic@de": [
        "Hammer Arbeit",
        "krass gut, sieht echt aus",
        "Ehrenmann",
        "geil gemacht",
        "urleiwand oida",
        "top, danke dir",
        "wahnsinn, du bist der beste",
        "sauber!",
        "Meister",
        "richtig stark digga",
        "des is a Wahnsinn",
        "{boah|krass|alter}, {sieht voll echt aus|bester hier|richtig gute Arbeit}",
    ],
    "source_solicitation@de": [
        "brauch mehr Bilder von ihr",
        "hast du ein schärferes Foto?",
        "schick mal mehr, mit dem einen geht nix",
        "bräuchte was von vorne",
        "Auflösung ist zu schlecht",
        "hast a paar mehr Fotos, oida?",
        "mehr Material bitte, dann mach ich",
        "gibts ein video? dann nehm ich frames",
        "Bild ist zu dunkel, anderes bitte",
        "ganzkörper wär besser, hast du eins?",
        "{schick|lad} {mehr|noch ein paar} Bilder {hoch|}, {das Gesicht ist zu klein|zu unscharf|zu dunkel}",
    ],
    "counter_speech@de": [
        "Das ist eine echte Frau, lasst das",
        "Das ist strafbar, ihr Vollpfosten",
        "gemeldet",
        "ekelhaft, stell dir vor das wär deine {Schwester|Mutter|Tochter}",
        "ohne Einverständnis geht gar nix",
        "Oida, des is echt net okay",
        "so was kann ihr Leben kaputt machen",
        "hab den Thread den Mods gemeldet",
        "Das ist digitale Gewalt, schämt euch",
        "nicht cool, sie hat nie zugestimmt",
        "ihr seid echt krank",
        "{das ist|sowas ist} {strafbar|Belästigung|widerlich}, {gemeldet|hab's gemeldet}",
    ],
    "other.chatter@de": [
        "Moin zusammen",
        "jemand aus {Österreich|Berlin|der Schweiz} hier?",
        "Servus beinand",
        "thread ist tot heute",
        "neuer thread wann?",
        "hab heute frei, endlich",
        "hier ist es grad so langsam",
        "wer is noch wach?",
        "Grüße aus {Wien|Graz|Hamburg|München}",
        "lol was geht hier ab",
        "Mahlzeit",
        "{schon wieder Montag|endlich Freitag|Sonntag und langweilig}, {was macht ihr so|wer is online}?",
    ],
    "other.sexist@de": [
        "Frauen wollen eh nur Kohle",
        "die sind alle gleich, echt",
        "typisch Frau, kann nicht einparken",
        "die Weiber heute hängen nur am Handy",
        "Feministinnen nerven",
        "die hält sich für was besseres weil sie hübsch ist",
        "meine Ex, typisch Frau, komplett irre",
        "Frauen und Technik lol",
        "die Madln in Wien san alle so eingebildet",
        "Frau am Steuer, ungeheuer",
        "{Frauen|die Weiber|die Madln} {wissen nie was sie wollen|meckern nur|wollen nur Likes}",
    ],
}

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


_BANKS: dict[str, list[str]] = {
    **_HELPERS, **_WHO, **_DETAIL, **_REQUEST, **_DELIVER, **_WORK, **_OTHER, **_ES, **_PT, **_DE,
}  # fmt: skip
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
