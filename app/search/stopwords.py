"""Function words per language: optional in queries, so they never block a match.

Lists are folded (lower case, no diacritics, no apostrophes) because query words are
compared after folding. Question words stay in the lists: they only score on headings.
"""

from __future__ import annotations

from app.search.analysis import fold, primary_language

_RAW: dict[str, str] = {
    "en": """a about above after again against all am an and any are as at be because been
        before being below between both but by can could did do does doing down during each
        few for from further had has have having he her here hers herself him himself his how
        i if in into is it its itself just me more most my myself no nor not now of off on
        once only or other our ours ourselves out over own same she should so some such than
        that the their theirs them themselves then there these they this those through to too
        under until up very was we were what when where which while who whom why will with
        would you your yours yourself yourselves whats hows whos wheres whens whys thats its
        theres isnt dont doesnt didnt wont cant also get got go goes went""",
    "de": """aber alle allem allen aller alles als also am an ander andere anderem anderen
        anderer anderes auch auf aus bei bin bis bist da damit dann das dass dasselbe dazu dein
        deine dem den denn der des desselben dessen dich die dies diese dieselbe diesem diesen
        dieser dieses dir doch dort du durch ein eine einem einen einer eines er es etwas euch
        euer eure fur gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn
        ihnen ihr ihre im in indem ins ist jede jedem jeden jeder jedes jene kann kein keine
        man manche mein meine mich mir mit muss musste nach nicht nichts noch nun nur ob oder
        ohne sehr sein seine selbst sich sie sind so solche soll sollte sondern sonst um und
        uns unser unter viel vom von vor wann war waren warum was weg weil weiter welche wenn
        werde werden wie wieder will wir wird wo woher wohin zu zum zur uber""",
    "es": """a al algo algunas algunos ante antes como con contra cual cuando de del desde
        donde durante e el ella ellas ellos en entre era es esa esas ese eso esos esta estas
        este esto estos fue fueron ha han hay la las le les lo los mas me mi mis mucho muy
        nada ni no nos nosotros o os otra otro para pero poco por porque que quien se ser si
        sin sobre son su sus tambien te tiene tu tus un una uno unos y ya yo como cuanto""",
    "fr": """a ai au aux avec c ce ces cet cette d dans de des du elle en est et etre eu il
        ils j je l la le les leur lui m ma mais me meme mes moi mon n ne nos notre nous on ou
        par pas pour qu que qui s sa se ses si son sont sur t ta te tes toi ton tu un une vos
        votre vous y comment pourquoi quand quel quelle quels quelles est-ce""",
    "pt": """a ao aos as com como da das de do dos e ela elas ele eles em entre era essa esse
        esta este eu foi foram ha isso isto ja la mais mas me mesmo meu minha muito na nao nas
        nem no nos o os ou para pela pelo por porque qual quando que quem se sem ser seu sua
        so tambem te tem um uma voce""",
    "it": """a ad al alla alle agli ai che chi ci come con da dal dalla dei del della delle di
        e ed era gli ha hanno i il in io la le lo loro ma mi nel nella no noi non o per perche
        piu quale quando questa questo se si sono su sua suo tra tu un una uno voi""",
    "nl": """aan al als bij dan dat de der deze die dit doch door dus een en er had heb hebben
        heeft het hij hoe hun ik in is je kan maar me men met mij na naar niet nog nu of om
        onder ons ook op over te tot u uit van veel voor waarom wat was wel wie wij wordt zal
        ze zich zij zijn zo""",
    "ru": """а без более бы был была были было быть в вам вас весь во вот все всего всех вы
        где да даже для до его ее если есть еще же за здесь и из или им их к как ко когда кто
        ли либо мне может мы на надо наш не него нее нет ни них но ну о об однако он она они
        оно от очень по под при с со так также такой там те тем то того тоже той только том
        ты у уже хотя чего чей чем что чтобы чье чья эта эти это я почему зачем""",
    # Words that are also English content words ("pro", "one") are left out: the lists of
    # every language of the store apply to every query.
    "pl": """a aby bez by byc byl byla bylo co czy dla do gdy gdzie i ich im jak jaki jaka
        jakie jest jestem jesli juz kiedy kto ktora ktore ktory ma mi mnie na nad nie niz
        o od on ona oni po przez przy sie sa ta tak te tego tez to tu ty u w we wiec z za
        ze zeby ile czym kogo dlaczego czemu skad""",
    "cs": """a aby ani az bez by byl byla bylo byt co ci do i jak jaka jake jaky je jeho
        jeji jejich jestli jiz k kam kde kdo kdy kdyz ke ktera ktere ktery kteri mi mne
        mit na nad ne nez o od on ona ono oni po proc protoze s se si tak take tam to tu
        ty u uz v ve z za ze kolik cim""",
    "tr": """acaba ancak bir biz bu bunu da de daha diye gibi hangi icin ise kadar
        ki mi mu nasil ne neden nerede nicin niye o olan olarak sonra sey su ve veya ya
        yani kac""",
    "uk": """а або але без би був була було бути в вам вас ви від все де для до же з за і із
        її їх його й як яка які який коли ми мені на над не ні о об по під при про та так
        також там те тих то ти у уже хто це цей ця ці чи що щоб чому навіщо скільки""",
    "ar": """في من على إلى عن مع هذا هذه ذلك التي الذي هو هي أن إن كان كانت ما ماذا لماذا كيف
        متى أين هل لا لم لن قد ثم أو يا كل بعض غير بين عند""",
    "fa": """و در به از که این آن با برای را تا یا هم اما چه چرا چگونه کی کجا آیا است هست
        بود شد یک هر""",
}

STOP_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(fold(word).replace("'", "") for word in words.split())
    for language, words in _RAW.items()
}
_ALL = frozenset().union(*STOP_WORDS.values())


# Question words: a query that asks "why" is best answered by a heading that asks "why".
_INTERROGATIVES = """what why how when where who whom which whose warum wie wann wo wer welche
    welcher welches wieso weshalb woher wohin was que como cuando donde quien cual cuanto
    porque pourquoi comment quand ou qui quel quelle quoi perche come quando dove chi quale
    waarom hoe wanneer waar wie welke wat почему зачем как когда где кто что какой
    jak dlaczego kiedy gdzie kto co ktory jaki ile czy proc kdy kde kdo jaky kolik nasil
    neden nerede kim hangi kac nicin niye чому коли де хто що який скільки onde quem qual
    quanto ماذا لماذا كيف متى أين هل چرا چگونه کجا آیا"""
INTERROGATIVES = frozenset(fold(word) for word in _INTERROGATIVES.split())


def is_question_word(folded_word: str) -> bool:
    return folded_word.replace("'", "") in INTERROGATIVES


def is_stop_word(folded_word: str, languages: frozenset[str] | None = None) -> bool:
    """True if the folded word is a function word in any of `languages` (all when None)."""
    word = folded_word.replace("'", "")
    if languages is None:
        return word in _ALL
    return any(word in STOP_WORDS.get(primary_language(lang), ()) for lang in languages)
