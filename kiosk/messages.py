"""User-facing messages for every stable code, in Kazakh, Russian and English.

Codes are stable strings: never rename one, add a new one instead.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- election package -------------------------------------------------------
    "package_malformed": {
        "kk": "Сайлау пакеті оқылмады: файл бүлінген немесе пішімі дұрыс емес.",
        "ru": "Пакет выборов не прочитан: файл повреждён или имеет неверный формат.",
        "en": "The election package cannot be read: the file is damaged or not in the right format.",
    },
    "package_unsigned": {
        "kk": "Сайлау пакетінде штаб қолтаңбасы жоқ. Оны пайдалануға болмайды.",
        "ru": "Пакет выборов не подписан штабом. Использовать его нельзя.",
        "en": "The election package is not signed by headquarters and cannot be used.",
    },
    "package_unknown_key": {
        "kk": "Сайлау пакетіне белгісіз кілтпен қол қойылған.",
        "ru": "Пакет выборов подписан неизвестным ключом.",
        "en": "The election package is signed with a key this kiosk does not trust.",
    },
    "package_bad_signature": {
        "kk": "Сайлау пакетінің қолтаңбасы сәйкес келмейді: файл өзгертілген.",
        "ru": "Подпись пакета выборов не сходится: файл был изменён.",
        "en": "The election package signature does not match: the file was changed.",
    },
    "package_unknown_version": {
        "kk": "Сайлау пакетінің нұсқасы бұл бағдарламаға белгісіз.",
        "ru": "Версия пакета выборов не поддерживается этой программой.",
        "en": "This version of the election package is not supported by this software.",
    },
    "package_invalid": {
        "kk": "Сайлау пакетінің мазмұны қате: міндетті деректер жоқ немесе сәйкес емес.",
        "ru": "Содержимое пакета выборов ошибочно: нет обязательных данных или они противоречивы.",
        "en": "The election package content is wrong: required data is missing or inconsistent.",
    },
    "unknown_style": {
        "kk": "Мұндай бюллетень түрі сайлау пакетінде жоқ.",
        "ru": "Такого вида бюллетеня нет в пакете выборов.",
        "en": "There is no such ballot style in the election package.",
    },
    "unknown_station": {
        "kk": "Мұндай сайлау учаскесі сайлау пакетінде жоқ.",
        "ru": "Такого избирательного участка нет в пакете выборов.",
        "en": "There is no such polling station in the election package.",
    },
    "file_unwritable": {
        "kk": "Файлды жазу мүмкін болмады.",
        "ru": "Не удалось записать файл.",
        "en": "The file could not be written.",
    },
    # --- reading a sheet ------------------------------------------------------
    "not_a_ballot": {
        "kk": "Бұл бюллетень емес. Бюллетеньді қайта салыңыз.",
        "ru": "Это не бюллетень. Вставьте бюллетень ещё раз.",
        "en": "This is not a ballot. Please insert the ballot again.",
    },
    "blank_page": {
        "kk": "Бет бос. Бюллетеньді басқа жағымен салыңыз.",
        "ru": "Страница пустая. Вставьте бюллетень другой стороной.",
        "en": "The page is blank. Please insert the ballot the other way.",
    },
    "unreadable": {
        "kk": "Бюллетеньді оқу мүмкін болмады. Түзетіп, қайта салыңыз.",
        "ru": "Бюллетень не удалось прочитать. Расправьте и вставьте его ещё раз.",
        "en": "The ballot could not be read. Please straighten it and insert it again.",
    },
    "wrong_election": {
        "kk": "Бұл бюллетень басқа сайлауға арналған.",
        "ru": "Этот бюллетень относится к другим выборам.",
        "en": "This ballot belongs to another election.",
    },
    "wrong_station": {
        "kk": "Бұл бюллетень осы учаскеге арналмаған.",
        "ru": "Этот бюллетень не относится к данному участку.",
        "en": "This ballot is not for this polling station.",
    },
    "test_ballot_in_official_mode": {
        "kk": "Бұл сынақ бюллетені. Ресми дауыс беру кезінде оны санауға болмайды.",
        "ru": "Это тестовый бюллетень. Во время официального голосования он не учитывается.",
        "en": "This is a test ballot. It cannot be counted during official voting.",
    },
    "official_ballot_in_test_mode": {
        "kk": "Бұл ресми бюллетень. Сынақ режимінде оны санауға болмайды.",
        "ru": "Это официальный бюллетень. В тестовом режиме он не учитывается.",
        "en": "This is an official ballot. It cannot be counted in test mode.",
    },
    "needs_cleaning": {
        "kk": "Сканерді тазалау керек: кескінде жолақ бар. Комиссияға хабарлаңыз.",
        "ru": "Сканер нужно почистить: на изображении полоса. Сообщите комиссии.",
        "en": "The scanner needs cleaning: there is a streak in the image. Tell the commission.",
    },
    "title_side_only": {
        "kk": "Тек бюллетеньнің титул беті оқылды. Бюллетеньді басқа жағымен салыңыз.",
        "ru": "Прочитана только титульная сторона. Вставьте бюллетень другой стороной.",
        "en": "Only the title side was read. Please insert the ballot the other way.",
    },
    "image_undecodable": {
        "kk": "Сканердің кескіні бүлінген. Бюллетеньді қайта салыңыз.",
        "ru": "Изображение от сканера повреждено. Вставьте бюллетень ещё раз.",
        "en": "The image from the scanner is damaged. Please insert the ballot again.",
    },
    "image_size_unsupported": {
        "kk": "Кескін өлшемі қолдау көрсетілмейді. Сканер баптауын тексеріңіз.",
        "ru": "Размер изображения не поддерживается. Проверьте настройки сканера.",
        "en": "The image size is not supported. Check the scanner settings.",
    },
    "layout_mismatch": {
        "kk": "Бюллетень белгілері күтілгендей емес. Бюллетеньді қайта салыңыз.",
        "ru": "Метки бюллетеня не совпадают с ожидаемыми. Вставьте бюллетень ещё раз.",
        "en": "The ballot marks are not where they should be. Please insert the ballot again.",
    },
    "layout_version_unsupported": {
        "kk": "Бюллетень бұл бағдарлама білмейтін нұсқада басылған.",
        "ru": "Бюллетень напечатан в версии, неизвестной этой программе.",
        "en": "The ballot was printed with a layout version this software does not know.",
    },
    "file_unreadable": {
        "kk": "Файлды оқу мүмкін болмады.",
        "ru": "Не удалось прочитать файл.",
        "en": "The file could not be read.",
    },
}


def markdown_table() -> str:
    """docs/error-codes.md is this table (a test keeps them in step)."""
    rows = ["| code | kk | ru | en |", "| --- | --- | --- | --- |"]
    rows += [f"| `{code}` | {t['kk']} | {t['ru']} | {t['en']} |" for code, t in MESSAGES.items()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(
        "# Error codes\n\nStable codes; every one has its message in Kazakh, Russian and English.\n"
        "Generated by `python -m kiosk.messages`.\n"
    )
    print(markdown_table(), end="")
