"""Is a line nothing but a date? ('Sunday, May 8, 2016', '8. Mai 2016', '8 de mayo de 2016',
'12 марта 2021 г.', '2021年3月12日'): such lines are datelines, never section headings."""

from __future__ import annotations

import re

from app.parsing.blocks import word_set

_MONTHS = word_set(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec janvier février fevrier mars avril mai
    juin juillet août aout septembre octobre novembre décembre decembre janv févr avr juil
    sept déc januar jänner februar märz maerz april mai juni juli august september oktober
    november dezember enero febrero marzo abril mayo junio julio agosto septiembre setiembre
    octubre noviembre diciembre gennaio febbraio marzo aprile maggio giugno luglio agosto
    settembre ottobre novembre dicembre janeiro fevereiro março marco abril maio junho julho
    agosto setembro outubro novembro dezembro januari februari maart april mei juni juli
    augustus september oktober november december январь февраль март апрель май июнь июль
    август сентябрь октябрь ноябрь декабрь января февраля марта апреля мая июня июля августа
    сентября октября ноября декабря
    """
)
_WEEKDAYS = word_set(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
    lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag
    freitag samstag sonntag lunes martes miércoles miercoles jueves viernes sábado sabado
    domingo lunedì martedì mercoledì giovedì venerdì sabato domenica segunda terça quarta
    quinta sexta feira maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    понедельник вторник среда четверг пятница суббота воскресенье
    """
)
# Words that join the parts of a date: "8 de mayo de 2016", "12 марта 2021 г.", "8th".
_JOINERS = word_set(
    """
    de del di do of the le der st nd rd th г года
    """
)
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
# With a four-digit year at either end: "3.9.18" is a version number.
_NUMERIC = re.compile(r"^(?:\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{4})$")
_CJK_DATE = re.compile(
    r"^\d{2,4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:\s*[（(]?\S{1,3}[）)]?)?$"
)
_MAX_DATE_TOKENS = 8
_ASCII_DIGIT = re.compile(r"[0-9]")


def is_date_only(text: str) -> bool:
    line = text.strip()
    if line.isascii() and _ASCII_DIGIT.search(line) is None:
        return False  # every date rule below needs a number
    if _NUMERIC.match(line) or _CJK_DATE.match(line):
        return True
    tokens = _TOKEN.findall(line.casefold())
    if not tokens or len(tokens) > _MAX_DATE_TOKENS:
        return False
    words = [t for t in tokens if not t.isdigit()]
    numbers = [t for t in tokens if t.isdigit()]
    return (
        bool(numbers)
        and any(w in _MONTHS for w in words)
        and all(w in _MONTHS or w in _WEEKDAYS or w in _JOINERS for w in words)
    )
