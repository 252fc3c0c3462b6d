"""Every word the kiosk shows, in Kazakh, Russian and English: one typed catalogue.

Screens never hold a string of their own: they ask `text(key, lang, **values)`. Error codes
are not repeated here: `error_text(code, lang)` reads kiosk/messages.py, the same messages
the commands print. A test checks that every entry has all three languages and the same
`{placeholders}` in each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from kiosk.messages import MESSAGES

Lang = Literal["kk", "ru", "en"]
LANGS: tuple[Lang, ...] = ("kk", "ru", "en")

# The language buttons show each language in itself, so anyone can find theirs.
LANG_NAMES: dict[Lang, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}

T = dict[Lang, str]

TEXT: dict[str, T] = {
    # --- frame --------------------------------------------------------------------------------
    "app_title": {
        "kk": "Санақ: сайлау учаскесі",
        "ru": "Санақ: избирательный участок",
        "en": "Sanaq: polling station",
    },
    "signed_in_as": {
        "kk": "Кірген: {name} ({role})",
        "ru": "Вошёл: {name} ({role})",
        "en": "Signed in: {name} ({role})",
    },
    "nobody_signed_in": {"kk": "Ешкім кірмеген", "ru": "Никто не вошёл", "en": "Nobody signed in"},
    "sign_out": {"kk": "Шығу", "ru": "Выйти", "en": "Sign out"},
    "back": {"kk": "Артқа", "ru": "Назад", "en": "Back"},
    "state_unconfigured": {"kk": "Баптау", "ru": "Настройка", "en": "Set-up"},
    "state_configured": {"kk": "Дайын, ашылмаған", "ru": "Готов, не открыт", "en": "Ready, not open"},
    "state_testing": {"kk": "Сынақ режимі", "ru": "Тестовый режим", "en": "Test mode"},
    "state_open": {"kk": "Дауыс беру жүріп жатыр", "ru": "Идёт голосование", "en": "Voting open"},
    "state_paused": {"kk": "Үзіліс", "ru": "Перерыв", "en": "Paused"},
    "state_closed": {"kk": "Дауыс беру аяқталды", "ru": "Голосование закрыто", "en": "Voting closed"},
    "state_finalised": {"kk": "Қорытындыланды", "ru": "Итоги подведены", "en": "Finalised"},
    "state_exported": {"kk": "Жазылды", "ru": "Выгружено", "en": "Exported"},
    "state_synced": {"kk": "Жіберілді", "ru": "Отправлено", "en": "Sent"},
    "role_chair": {"kk": "төраға", "ru": "председатель", "en": "chair"},
    "role_secretary": {"kk": "хатшы", "ru": "секретарь", "en": "secretary"},
    "role_member": {"kk": "комиссия мүшесі", "ru": "член комиссии", "en": "member"},
    "role_technician": {"kk": "техник", "ru": "техник", "en": "technician"},
    # --- set-up -------------------------------------------------------------------------------
    "setup_title": {"kk": "Сайлау пакеті", "ru": "Пакет выборов", "en": "Election package"},
    "setup_signed_by": {"kk": "Қол қойған: {label}", "ru": "Подписан: {label}", "en": "Signed by: {label}"},
    "setup_key_id": {
        "kk": "Кілт {kid}, хэш {hash}",
        "ru": "Ключ {kid}, хэш {hash}",
        "en": "Key {kid}, hash {hash}",
    },
    "setup_development": {
        "kk": "ӘЗІРЛЕУ КІЛТІ: нақты сайлауға жарамайды",
        "ru": "КЛЮЧ РАЗРАБОТКИ: не для настоящих выборов",
        "en": "DEVELOPMENT KEY: not for real elections",
    },
    "setup_verified": {"kk": "Қолтаңба тексерілді", "ru": "Подпись проверена", "en": "Signature verified"},
    "setup_official": {"kk": "Ресми пакет", "ru": "Официальный пакет", "en": "Official package"},
    "setup_test_package": {"kk": "Сынақ пакеті", "ru": "Тестовый пакет", "en": "Test package"},
    "setup_station": {"kk": "Учаске", "ru": "Участок", "en": "Station"},
    "setup_station_line": {
        "kk": "{name}: тізімде {voters} сайлаушы",
        "ru": "{name}: {voters} избирателей в списке",
        "en": "{name}: {voters} voters on the list",
    },
    "setup_ballots": {"kk": "Бюллетень түрлері", "ru": "Виды бюллетеней", "en": "Ballot types"},
    "setup_choices": {"kk": "{n} таңдау", "ru": "вариантов: {n}", "en": "{n} choices"},
    "setup_choose_station": {
        "kk": "Осы учаскені таңдау",
        "ru": "Выбрать этот участок",
        "en": "Choose this station",
    },
    "setup_continue": {"kk": "Жалғастыру", "ru": "Продолжить", "en": "Continue"},
    "setup_second_chance": {
        "kk": "Бос немесе артық белгіленген бюллетень сайлаушыға қайтарылады",
        "ru": "Пустой или с лишними отметками бюллетень возвращается избирателю",
        "en": "A blank or over-marked ballot goes back to the voter",
    },
    "setup_configured": {
        "kk": "Учаске бапталды. Журнал: {path}",
        "ru": "Участок настроен. Журнал: {path}",
        "en": "Station set up. Journal: {path}",
    },
    # --- sign-in ------------------------------------------------------------------------------
    "signin_title": {"kk": "Кіру", "ru": "Вход", "en": "Sign in"},
    "signin_choose": {"kk": "Өзіңізді таңдаңыз", "ru": "Выберите себя", "en": "Choose your name"},
    "signin_pin": {"kk": "PIN-кодты енгізіңіз", "ru": "Введите PIN-код", "en": "Enter your PIN"},
    "signin_ok": {"kk": "Кіру", "ru": "Войти", "en": "Sign in"},
    "signin_clear": {"kk": "Өшіру", "ru": "Стереть", "en": "Clear"},
    "signin_attempts_left": {
        "kk": "Қалған әрекет: {n}",
        "ru": "Осталось попыток: {n}",
        "en": "Attempts left: {n}",
    },
    "signin_demo_pins": {
        "kk": "ӘЗІРЛЕУ: сынақ комиссиясы, PIN {pins}",
        "ru": "РАЗРАБОТКА: тестовая комиссия, PIN {pins}",
        "en": "DEVELOPMENT: demo commission, PINs {pins}",
    },
    # --- home (the commission's menu) -----------------------------------------------------------
    "home_title": {"kk": "Комиссия", "ru": "Комиссия", "en": "Commission"},
    "action_open": {"kk": "Дауыс беруді ашу", "ru": "Открыть голосование", "en": "Open voting"},
    "action_voting": {"kk": "Дауыс беру экраны", "ru": "Экран голосования", "en": "Voting screen"},
    "action_pause": {"kk": "Үзіліс", "ru": "Перерыв", "en": "Pause"},
    "action_resume": {"kk": "Жалғастыру", "ru": "Продолжить", "en": "Resume"},
    "action_close": {"kk": "Дауыс беруді жабу", "ru": "Закрыть голосование", "en": "Close voting"},
    "action_review": {
        "kk": "Күмәнді бюллетеньдер ({n})",
        "ru": "Спорные бюллетени ({n})",
        "en": "Ballots to review ({n})",
    },
    "action_scan_box": {"kk": "Жәшікті санау", "ru": "Сосчитать ящик", "en": "Count a box"},
    "home_counts": {
        "kk": "Есептелді: {sheets}. Шешім күтуде: {review}. Аяқталмаған: {pending}.",
        "ru": "Учтено: {sheets}. Ждут решения: {review}. Не завершено: {pending}.",
        "en": "Counted: {sheets}. Awaiting decision: {review}. Unsettled: {pending}.",
    },
    "confirm_close": {
        "kk": "Дауыс беруді жабасыз ба? Жабылғаннан кейін ашуға болмайды.",
        "ru": "Закрыть голосование? Открыть снова будет нельзя.",
        "en": "Close voting? It cannot be opened again.",
    },
    "yes": {"kk": "Иә", "ru": "Да", "en": "Yes"},
    "no": {"kk": "Жоқ", "ru": "Нет", "en": "No"},
    "later_screens": {
        "kk": "Хаттама, қолтаңба және жіберу экрандары кейін қосылады.",
        "ru": "Экраны протокола, подписей и отправки появятся позже.",
        "en": "Protocol, signing and sending screens come later.",
    },
    # --- zero report ------------------------------------------------------------------------------
    "zero_title": {"kk": "Нөлдік есеп", "ru": "Нулевой отчёт", "en": "Zero report"},
    "zero_chain_code": {
        "kk": "Тізбек коды: {code} (қағаздағымен салыстырыңыз)",
        "ru": "Код цепочки: {code} (сверьте с бумажным)",
        "en": "Chain code: {code} (compare with the paper)",
    },
    "zero_line": {
        "kk": "{contest}: барлығы {n}",
        "ru": "{contest}: всего {n}",
        "en": "{contest}: {n} in all",
    },
    "zero_all": {
        "kk": "Ресми санақтың барлығы нөлге тең. Дауыс беру ашық.",
        "ru": "Все официальные счётчики равны нулю. Голосование открыто.",
        "en": "Every official count is zero. Voting is open.",
    },
    "zero_to_voting": {"kk": "Дауыс беруге өту", "ru": "К голосованию", "en": "Go to voting"},
    # --- voting -----------------------------------------------------------------------------------
    "counter_label": {"kk": "Салынған бюллетеньдер", "ru": "Опущено бюллетеней", "en": "Ballots cast"},
    "insert_ballot": {
        "kk": "Бюллетеньді сканерге салыңыз",
        "ru": "Вставьте бюллетень в сканер",
        "en": "Insert your ballot into the scanner",
    },
    "result_accepted": {"kk": "Бюллетень қабылданды", "ru": "Бюллетень принят", "en": "Ballot accepted"},
    "result_accepted_sub": {"kk": "Рахмет!", "ru": "Спасибо!", "en": "Thank you!"},
    "result_returned": {"kk": "Бюллетень қайтарылды", "ru": "Бюллетень возвращён", "en": "Ballot returned"},
    "result_cast_warning": {
        "kk": "Бюллетень қалпында салынды",
        "ru": "Бюллетень опущен как есть",
        "en": "Ballot cast as it is",
    },
    "warn_title": {"kk": "Бюллетеньді тексеріңіз", "ru": "Проверьте бюллетень", "en": "Check your ballot"},
    "warn_blank": {
        "kk": "«{contest}»: белгі жоқ. Бюллетень жарамсыз болып саналады.",
        "ru": "«{contest}»: нет отметки. Бюллетень будет недействительным.",
        "en": "“{contest}”: no mark. The ballot will be invalid.",
    },
    "warn_overvote": {
        "kk": "«{contest}»: бірнеше белгі. Бюллетень жарамсыз болып саналады.",
        "ru": "«{contest}»: больше одной отметки. Бюллетень будет недействительным.",
        "en": "“{contest}”: more than one mark. The ballot will be invalid.",
    },
    "warn_take_back": {"kk": "Қайтарып алу", "ru": "Забрать назад", "en": "Take it back"},
    "warn_cast": {"kk": "Осылай салу", "ru": "Опустить как есть", "en": "Cast it as it is"},
    "warn_call_member": {
        "kk": "Комиссия мүшесін шақырыңыз",
        "ru": "Позовите члена комиссии",
        "en": "Please call a commission member",
    },
    "scanner_ready": {"kk": "Сканер дайын", "ru": "Сканер готов", "en": "Scanner ready"},
    "scanner_working": {"kk": "Сканер оқып жатыр", "ru": "Сканер читает", "en": "Scanner reading"},
    "scanner_stopped": {"kk": "Сканер тоқтады", "ru": "Сканер остановлен", "en": "Scanner stopped"},
    "scanner_waiting_voter": {
        "kk": "Сайлаушы шешімін күтуде",
        "ru": "Ждёт решения избирателя",
        "en": "Waiting for the voter",
    },
    "alert_title": {"kk": "НАЗАР АУДАРЫҢЫЗ", "ru": "ВНИМАНИЕ", "en": "ATTENTION"},
    "alert_fixed": {"kk": "Түзетілді, жалғастыру", "ru": "Исправлено, продолжить", "en": "Fixed, carry on"},
    "commission_menu": {"kk": "Комиссия", "ru": "Комиссия", "en": "Commission"},
    "paused_title": {"kk": "Дауыс беруде үзіліс", "ru": "Перерыв в голосовании", "en": "Voting is paused"},
    "paused_sub": {
        "kk": "Бюллетень қабылданбайды. Жалғастыру үшін комиссия мүшесі кіреді.",
        "ru": "Бюллетени не принимаются. Для продолжения войдёт член комиссии.",
        "en": "No ballots are taken. A commission member signs in to resume.",
    },
    "closed_title": {"kk": "Дауыс беру жабық", "ru": "Голосование закрыто", "en": "Voting is closed"},
    "closed_sub": {
        "kk": "Есептелді: {sheets}. Шешім күтуде: {review}.",
        "ru": "Учтено: {sheets}. Ждут решения: {review}.",
        "en": "Counted: {sheets}. Awaiting decision: {review}.",
    },
    # --- review ----------------------------------------------------------------------------------
    "review_title": {
        "kk": "Күмәнді бюллетень {i} / {n}",
        "ru": "Спорный бюллетень {i} из {n}",
        "en": "Ballot to review {i} of {n}",
    },
    # secret7 (attack6): while the polls are open the sheets set aside wait for the close
    "review_after_close": {
        "kk": "Шешім күтетін бюллетеньдер: {n}. Олар дауыс беру жабылғаннан кейін, хаттамаға дейін шешіледі.",
        "ru": "Ждут решения: {n}. Они решаются после закрытия голосования, до протокола.",
        "en": "Awaiting decision: {n}. They are decided after the polls close, before the protocol.",
    },
    "review_none": {
        "kk": "Шешім күтетін бюллетень жоқ",
        "ru": "Нет бюллетеней для решения",
        "en": "No ballots await a decision",
    },
    "review_reason": {
        "kk": "Сканер бұл белгіні анық ажырата алмады: комиссия шешеді.",
        "ru": "Сканер не смог уверенно распознать отметку: решает комиссия.",
        "en": "The scanner could not tell this mark for sure: the commission decides.",
    },
    "review_marked": {"kk": "белгі бар", "ru": "есть отметка", "en": "marked"},
    "review_marginal": {"kk": "күмәнді", "ru": "сомнительно", "en": "doubtful"},
    "review_empty": {"kk": "бос", "ru": "пусто", "en": "empty"},
    "review_no_image": {
        "kk": "Сурет сақталмаған (бағдарлама қайта қосылды)",
        "ru": "Изображение не сохранено (программа перезапускалась)",
        "en": "No image kept (the kiosk was restarted)",
    },
    "review_vote_for": {"kk": "Дауыс: {option}", "ru": "Голос за: {option}", "en": "Vote for: {option}"},
    "review_invalid": {"kk": "Жарамсыз", "ru": "Недействителен", "en": "Invalid"},
    # The ninth pass's review: a mark the reader read empty is on the paper, not on the screen.
    "review_other_options": {
        "kk": "Басқа нұсқа (бюллетень бойынша)",
        "ru": "Другой вариант (по бюллетеню)",
        "en": "Another option (as on the ballot)",
    },
    "review_second_member": {
        "kk": "Шешім: {decision}. Екінші мүше растайды: атын таңдап, PIN енгізеді.",
        "ru": "Решение: {decision}. Второй член комиссии подтверждает: выбирает себя и вводит PIN.",
        "en": "Decision: {decision}. A second member confirms: choose your name, enter your PIN.",
    },
    "review_confirm": {"kk": "Растау", "ru": "Подтвердить", "en": "Confirm"},
    "review_cancel": {"kk": "Болдырмау", "ru": "Отмена", "en": "Cancel"},
    "review_decided": {"kk": "Шешім жазылды", "ru": "Решение записано", "en": "Decision recorded"},
    "review_why": {
        "kk": "комиссия шешімі: {a} және {b}",
        "ru": "решение комиссии: {a} и {b}",
        "en": "commission decision: {a} and {b}",
    },
    # --- the closing: protocol, signatures, print, export (issue 14, second pass) -----------------
    "action_protocol": {"kk": "Хаттама", "ru": "Протокол", "en": "Protocol"},
    "proto_title": {"kk": "Хаттама: {contest}", "ru": "Протокол: {contest}", "en": "Protocol: {contest}"},
    "proto_line": {
        "kk": "{number}. {title}: {value}",
        "ru": "{number}. {title}: {value}",
        "en": "{number}. {title}: {value}",
    },
    "proto_counted": {
        "kk": "Сканер санады (өзгертілмейді)",
        "ru": "Подсчитано сканером (не меняется)",
        "en": "Counted by the scanner (not editable)",
    },
    "proto_entered": {
        "kk": "Комиссия енгізеді: жолды түртіп, санды теріңіз",
        "ru": "Вводит комиссия: нажмите строку и наберите число",
        "en": "The commission enters: touch a line, type the number",
    },
    "proto_ratios": {"kk": "Бақылау қатынастары", "ru": "Контрольные соотношения", "en": "Control ratios"},
    "proto_ratio_ok": {
        "kk": "✓ {title}: {left} {op} {right}",
        "ru": "✓ {title}: {left} {op} {right}",
        "en": "✓ {title}: {left} {op} {right}",
    },
    "proto_ratio_bad": {
        "kk": "✗ {title}: {left} {op} {right} емес, айырма {diff}",
        "ru": "✗ {title}: не {left} {op} {right}, разница {diff}",
        "en": "✗ {title}: not {left} {op} {right}, difference {diff}",
    },
    "proto_typing": {
        "kk": "{number}-жол: {value}",
        "ru": "Строка {number}: {value}",
        "en": "Line {number}: {value}",
    },
    "proto_all_ok": {
        "kk": "✓ Барлық бақылау қатынастары орындалды",
        "ru": "✓ Все контрольные соотношения выполнены",
        "en": "✓ Every control ratio holds",
    },
    "proto_pick_line": {"kk": "Жолды таңдаңыз", "ru": "Выберите строку", "en": "Choose a line"},
    "proto_next": {"kk": "Келесі", "ru": "Далее", "en": "Next"},
    "proto_save": {"kk": "Жолдарды сақтау", "ru": "Сохранить строки", "en": "Save the lines"},
    "proto_saved": {"kk": "Сақталды", "ru": "Сохранено", "en": "Saved"},
    "proto_not_saved": {"kk": "Сақталмаған", "ru": "Не сохранено", "en": "Not saved"},
    "proto_preview": {"kk": "Басып шығару үлгісі", "ru": "Просмотр печати", "en": "Print preview"},
    "proto_signatures": {"kk": "Қолтаңбалар", "ru": "Подписи", "en": "Signatures"},
    "proto_sign_title": {
        "kk": "Хаттамаларға қол қою: атыңызды таңдап, PIN енгізіңіз",
        "ru": "Подписание протоколов: выберите себя и введите PIN",
        "en": "Sign the protocols: choose your name, enter your PIN",
    },
    "proto_sign_rule": {
        "kk": "Төраға мен хатшы мақұлдайды; төраға қорытындылайды.",
        "ru": "Одобряют председатель и секретарь; итоги подводит председатель.",
        "en": "The chair and the secretary approve; the chair finalises.",
    },
    "proto_sign_ok": {"kk": "Қол қою", "ru": "Подписать", "en": "Sign"},
    "proto_signers": {
        "kk": "{style}, {version}-нұсқа: {signers}",
        "ru": "{style}, версия {version}: {signers}",
        "en": "{style}, version {version}: {signers}",
    },
    "proto_no_version": {
        "kk": "{style}: әлі қол қойылмаған",
        "ru": "{style}: ещё не подписан",
        "en": "{style}: not signed yet",
    },
    "proto_finalise": {"kk": "Қорытындылау", "ru": "Подвести итоги", "en": "Finalise"},
    "proto_print": {"kk": "PDF-ке басып шығару", "ru": "Печать в PDF", "en": "Print to PDF"},
    "proto_export": {"kk": "USB-ге жазу", "ru": "Записать на USB", "en": "Export to USB"},
    "proto_finalised": {
        "kk": "Қорытындыланды: {n} хаттама",
        "ru": "Итоги подведены: протоколов {n}",
        "en": "Finalised: {n} protocols",
    },
    "proto_printed": {"kk": "Басылды: {files}", "ru": "Напечатано: {files}", "en": "Printed: {files}"},
    "proto_exported": {
        "kk": "USB-ге жазылды: {path}",
        "ru": "Записано на USB: {path}",
        "en": "Written to USB: {path}",
    },
    # --- the technician: devices, printer test, calibration (issue 14, third pass) ---------------
    "action_devices": {"kk": "Құрылғылар", "ru": "Устройства", "en": "Devices"},
    "devices_title": {
        "kk": "Сканерлер мен принтерлер",
        "ru": "Сканеры и принтеры",
        "en": "Scanners and printers",
    },
    "devices_scanners": {"kk": "Сканерлер", "ru": "Сканеры", "en": "Scanners"},
    "devices_printers": {"kk": "Принтерлер", "ru": "Принтеры", "en": "Printers"},
    "device_line": {"kk": "{name}: {state}", "ru": "{name}: {state}", "en": "{name}: {state}"},
    "device_used": {"kk": "киоск қолданады", "ru": "использует киоск", "en": "used by the kiosk"},
    "device_state_in_use": {"kk": "жұмыс істеп тұр", "ru": "работает", "en": "in use"},
    "device_state_present": {"kk": "қосылған", "ru": "подключён", "en": "connected"},
    "device_state_missing": {"kk": "табылмады", "ru": "не найден", "en": "not found"},
    "device_state_simulated": {
        "kk": "ӘЗІРЛЕУ: имитация",
        "ru": "РАЗРАБОТКА: имитация",
        "en": "DEVELOPMENT: simulated",
    },
    "device_state_configured": {"kk": "бапталған", "ru": "настроен", "en": "set up"},
    "device_state_pdf": {
        "kk": "PDF файлға басады",
        "ru": "печатает в PDF-файл",
        "en": "prints to a PDF file",
    },
    "devices_none": {"kk": "Ештеңе табылмады", "ru": "Ничего не найдено", "en": "Nothing found"},
    "devices_rescan": {"kk": "Қайта іздеу", "ru": "Искать снова", "en": "Look again"},
    "devices_hotplug_on": {
        "kk": "Құрылғыны қосу не ажырату бірден көрінеді.",
        "ru": "Подключение и отключение устройства видно сразу.",
        "en": "Plugging a device in or out shows at once.",
    },
    "devices_hotplug_off": {
        "kk": "Бұл жерде қосу оқиғалары жоқ: құрылғыны қосқан соң «Қайта іздеу» басыңыз.",
        "ru": "Здесь нет событий подключения: после подключения нажмите «Искать снова».",
        "en": "No plug events here: after plugging a device in, press “Look again”.",
    },
    "devices_print_test": {"kk": "Принтерді тексеру", "ru": "Проверить принтер", "en": "Test the printer"},
    "devices_print_ok": {
        "kk": "✓ Сынақ беті басылды: {where}",
        "ru": "✓ Тестовая страница напечатана: {where}",
        "en": "✓ Test page printed: {where}",
    },
    "devices_print_waits": {
        "kk": "Сынақ беті кезекте күтіп тұр (кезекте: {n})",
        "ru": "Тестовая страница ждёт в очереди (в очереди: {n})",
        "en": "The test page waits in the queue ({n} waiting)",
    },
    "devices_spool": {
        "kk": "Басып шығару кезегінде: {n}",
        "ru": "В очереди печати: {n}",
        "en": "Waiting to print: {n}",
    },
    "devices_calibrate": {
        "kk": "Сканерді калибрлеу",
        "ru": "Калибровать сканер",
        "en": "Calibrate the scanner",
    },
    "devices_calibrated": {
        "kk": "Калибрлеу: {result}",
        "ru": "Калибровка: {result}",
        "en": "Calibration: {result}",
    },
    "printer_test_title": {"kk": "Принтерді тексеру", "ru": "Проверка принтера", "en": "Printer test"},
    "printer_test_line": {
        "kk": "Учаске №{station}, {when}: принтер жұмыс істейді",
        "ru": "Участок №{station}, {when}: принтер работает",
        "en": "Station №{station}, {when}: the printer works",
    },
    # --- the logic-and-accuracy test --------------------------------------------------------------
    "action_test_start": {
        "kk": "Сынақ режимін бастау",
        "ru": "Начать тестовый режим",
        "en": "Start test mode",
    },
    "action_test_screen": {"kk": "Сынақ экраны", "ru": "Экран теста", "en": "Test screen"},
    "action_test_end": {
        "kk": "Сынақ режимін аяқтау",
        "ru": "Завершить тестовый режим",
        "en": "End test mode",
    },
    "test_banner": {"kk": "СЫНАҚ РЕЖИМІ", "ru": "ТЕСТОВЫЙ РЕЖИМ", "en": "TEST MODE"},
    "test_banner_sub": {
        "kk": "Бұл дауыс беру емес: ештеңе ресми саналмайды",
        "ru": "Это не голосование: ничего не учитывается официально",
        "en": "This is not voting: nothing is counted officially",
    },
    "test_title": {
        "kk": "Логика мен дәлдікті сынау",
        "ru": "Проверка логики и точности",
        "en": "Logic-and-accuracy test",
    },
    "test_insert": {
        "kk": "Сынақ бюллетеньдерін сканерге салыңыз",
        "ru": "Вставьте тестовые бюллетени в сканер",
        "en": "Feed the test ballots into the scanner",
    },
    "test_counts": {
        "kk": "Сынақ бюллетеньдері: {sheets}. Қайтарылды: {returned}.",
        "ru": "Тестовых бюллетеней: {sheets}. Возвращено: {returned}.",
        "en": "Test ballots: {sheets}. Returned: {returned}.",
    },
    "test_option": {"kk": "{option}: {n}", "ru": "{option}: {n}", "en": "{option}: {n}"},
    "test_invalid": {
        "kk": "Бос: {blank} · Артық белгі: {overvote} · Шешім күтуде: {review}",
        "ru": "Пустых: {blank} · Лишние отметки: {overvote} · Ждут решения: {review}",
        "en": "Blank: {blank} · Over-marked: {overvote} · Awaiting decision: {review}",
    },
    "test_last_accepted": {
        "kk": "Соңғы сынақ бюллетені есептелді",
        "ru": "Последний тестовый бюллетень учтён",
        "en": "The last test ballot was counted",
    },
    "test_last_returned": {
        "kk": "Соңғы бюллетень қайтарылды: {reason}",
        "ru": "Последний бюллетень возвращён: {reason}",
        "en": "The last ballot was returned: {reason}",
    },
    "test_end_note": {
        "kk": "Сынақ режимін аяқтағанда барлық сынақ есептері өшіріледі: олар ресми санаққа ешқашан кірмейді.",
        "ru": "При завершении тестового режима все тестовые подсчёты удаляются: в официальный подсчёт они не попадают.",
        "en": "Ending test mode deletes every test count: they never reach the official count.",
    },
    "test_confirm_end": {
        "kk": "Сынақ режимін аяқтап, {n} сынақ бюллетенінің есебін өшіресіз бе?",
        "ru": "Завершить тестовый режим и удалить подсчёт тестовых бюллетеней ({n})?",
        "en": "End test mode and delete the count of {n} test ballots?",
    },
    "test_ended": {
        "kk": "Сынақ режимі аяқталды: {n} сынақ бюллетенінің есебі өшірілді.",
        "ru": "Тестовый режим завершён: подсчёт тестовых бюллетеней ({n}) удалён.",
        "en": "Test mode ended: the count of {n} test ballots was deleted.",
    },
    "test_open_refused": {
        "kk": "Сынақ есептерінен ресми санақ басталмайды: алдымен сынақ режимін аяқтаңыз.",
        "ru": "Официальный подсчёт не начинается с тестовых подсчётов: сначала завершите тестовый режим.",
        "en": "Official counting never starts from test counts: end test mode first.",
    },
    "open_refused": {
        "kk": "Дауыс беру ашылмады.",
        "ru": "Голосование не открыто.",
        "en": "Voting was not opened.",
    },
    # --- sync to headquarters and the USB export ----------------------------------------------------
    "action_sync": {"kk": "Жіберу және USB", "ru": "Отправка и USB", "en": "Sending and USB"},
    "sync_title": {
        "kk": "Хаттамаларды жіберу",
        "ru": "Отправка протоколов",
        "en": "Sending the protocols",
    },
    "sync_state_pending": {"kk": "жіберілмеген", "ru": "не отправлен", "en": "not sent"},
    "sync_state_sent": {
        "kk": "жіберілді, түбіртек жоқ",
        "ru": "отправлен, квитанции нет",
        "en": "sent, no receipt",
    },
    "sync_state_receipt": {"kk": "түбіртек алынды", "ru": "квитанция получена", "en": "receipt received"},
    "sync_state_refused": {"kk": "қабылданбады", "ru": "отклонён", "en": "refused"},
    "sync_row": {
        "kk": "{name}: {state} · әрекет: {attempts}",
        "ru": "{name}: {state} · попыток: {attempts}",
        "en": "{name}: {state} · attempts: {attempts}",
    },
    "sync_error": {
        "kk": "Соңғы қате: {error}",
        "ru": "Последняя ошибка: {error}",
        "en": "Last error: {error}",
    },
    "sync_receipt": {
        "kk": "Түбіртек: {contest}, {version}-нұсқа, {at}",
        "ru": "Квитанция: {contest}, версия {version}, {at}",
        "en": "Receipt: {contest}, version {version}, {at}",
    },
    "sync_none": {
        "kk": "Жіберетін хаттама жоқ: алдымен қорытындылаңыз.",
        "ru": "Нечего отправлять: сначала подведите итоги.",
        "en": "Nothing to send: finalise first.",
    },
    "sync_hq": {"kk": "Қабылдаушы: {url}", "ru": "Получатель: {url}", "en": "Headquarters: {url}"},
    "sync_no_hq": {
        "kk": "Жіберу мекенжайы бапталмаған.",
        "ru": "Адрес отправки не настроен.",
        "en": "No headquarters address is set.",
    },
    "sync_send": {"kk": "Қазір жіберу", "ru": "Отправить сейчас", "en": "Send now"},
    "sync_sending": {"kk": "Жіберіліп жатыр…", "ru": "Отправляется…", "en": "Sending…"},
    "sync_refresh": {"kk": "Жаңарту", "ru": "Обновить", "en": "Refresh"},
    "sync_usb": {"kk": "USB-ге жазу", "ru": "Запись на USB", "en": "USB export"},
    "sync_usb_none": {
        "kk": "USB-ге әлі жазылмаған.",
        "ru": "На USB ещё не записано.",
        "en": "Not exported to USB yet.",
    },
    "sync_usb_done": {"kk": "USB-ге жазылды.", "ru": "Записано на USB.", "en": "Exported to USB."},
    "sync_usb_ok": {
        "kk": "{folder}: тексерілді ✓",
        "ru": "{folder}: проверено ✓",
        "en": "{folder}: verified ✓",
    },
    "sync_no_stick": {
        "kk": "USB жинақтауышы салынбаған.",
        "ru": "USB-накопитель не вставлен.",
        "en": "No USB stick is in.",
    },
    # --- kiosk4 (issue 16 on the kiosk): calibration result, histogram, logic-and-accuracy test ---
    "calibration_title": {
        "kk": "Сканерді калибрлеу",
        "ru": "Калибровка сканера",
        "en": "Scanner calibration",
    },
    "calibration_how": {
        "kk": "Калибрлеу парағын сканерге салып, «Сканерді калибрлеу» батырмасын басыңыз.",
        "ru": "Вложите калибровочный лист в сканер и нажмите «Калибровать сканер».",
        "en": "Put the calibration sheet in the scanner and press “Calibrate the scanner”.",
    },
    "calibration_step_scanning": {
        "kk": "Калибрлеу парағы сканерленіп, өлшенуде…",
        "ru": "Калибровочный лист сканируется и измеряется…",
        "en": "Scanning and measuring the calibration sheet…",
    },
    "calibration_step_recording": {
        "kk": "Профиль журналға жазылуда…",
        "ru": "Профиль записывается в журнал…",
        "en": "Recording the profile in the journal…",
    },
    "calibration_passed": {
        "kk": "✓ КАЛИБРЛЕУ ӨТТІ",
        "ru": "✓ КАЛИБРОВКА ПРОЙДЕНА",
        "en": "✓ CALIBRATION PASSED",
    },
    "calibration_failed_title": {
        "kk": "✗ КАЛИБРЛЕУ ӨТПЕДІ",
        "ru": "✗ КАЛИБРОВКА НЕ ПРОЙДЕНА",
        "en": "✗ CALIBRATION FAILED",
    },
    "calibration_scanner": {
        "kk": "{scanner} · өлшенген уақыты: {at}",
        "ru": "{scanner} · измерен {at}",
        "en": "{scanner} · measured {at}",
    },
    "calibration_check": {
        "kk": "{measure} (кескін {image}): {verdict}",
        "ru": "{measure} (изображение {image}): {verdict}",
        "en": "{measure} (image {image}): {verdict}",
    },
    "calibration_side": {
        "kk": "Кескін {image} (парақтың {side} жағы): масштаб {scale}, қисаю {skew}, ақ {white}, қара {black}, {dpi} dpi",
        "ru": "Изображение {image} (сторона {side}): масштаб {scale}, перекос {skew}, белый {white}, чёрный {black}, {dpi} dpi",
        "en": "Image {image} (sheet side {side}): scale {scale}, skew {skew}, white {white}, black {black}, {dpi} dpi",
    },
    "calibration_ok": {"kk": "өтті", "ru": "пройдено", "en": "passed"},
    "calibration_bad": {"kk": "ӨТПЕДІ", "ru": "НЕ ПРОЙДЕНО", "en": "FAILED"},
    "measure_scale_x": {
        "kk": "Көлденең масштаб",
        "ru": "Масштаб поперёк подачи",
        "en": "Scale across the feed",
    },
    "measure_scale_y": {"kk": "Бойлық масштаб", "ru": "Масштаб вдоль подачи", "en": "Scale along the feed"},
    "measure_aspect": {"kk": "Пропорция", "ru": "Пропорции", "en": "Aspect"},
    "measure_grid_error_mm": {"kk": "Тор дәлдігі", "ru": "Точность сетки", "en": "Grid accuracy"},
    "measure_skew_deg": {"kk": "Қисаю", "ru": "Перекос", "en": "Skew"},
    "measure_offset_mm": {"kk": "Ығысу", "ru": "Смещение", "en": "Offset"},
    "measure_levels": {
        "kk": "Ақ пен қара деңгейі",
        "ru": "Уровни белого и чёрного",
        "en": "White and black levels",
    },
    "measure_falloff": {
        "kk": "Жарықтың біркелкілігі",
        "ru": "Равномерность освещения",
        "en": "Even illumination",
    },
    "measure_streaks": {"kk": "Жолақтар", "ru": "Полосы", "en": "Streaks"},
    "measure_dust": {"kk": "Шаң", "ru": "Пыль", "en": "Dust"},
    "measure_resolution": {"kk": "Ажыратымдылық", "ru": "Разрешение", "en": "Resolution"},
    "histogram_title": {
        "kk": "Белгі шектері: ұпай гистограммасы",
        "ru": "Пороги отметок: гистограмма оценок",
        "en": "Mark thresholds: histogram of scores",
    },
    "histogram_chosen": {
        "kk": "Таңдалған шектер: күмәнді {marginal}, белгі {marked}",
        "ru": "Выбранные пороги: сомнительная {marginal}, отметка {marked}",
        "en": "Chosen thresholds: doubtful {marginal}, marked {marked}",
    },
    "histogram_none": {
        "kk": "Белгі шектері бұл сканерде әлі таңдалмаған (sanaq marks calibrate): әдепкі шектер қолданылады.",
        "ru": "Пороги отметок на этом сканере ещё не выбраны (sanaq marks calibrate): действуют пороги по умолчанию.",
        "en": "No mark thresholds chosen on this scanner yet (sanaq marks calibrate): the default ones apply.",
    },
    "histogram_missing": {
        "kk": "Гистограмма суреті табылмады немесе журналдағы жазбаға сәйкес емес.",
        "ru": "Картинка гистограммы не найдена или не совпадает с записью в журнале.",
        "en": "The histogram picture is missing or does not match the journal's record.",
    },
    "lat_title": {
        "kk": "Сынақ пачкасы: күтілетін нәтиже",
        "ru": "Тестовая пачка: ожидаемый итог",
        "en": "Test deck: the expected tally",
    },
    "lat_scheme_full": {"kk": "Толық пачка", "ru": "Полная пачка", "en": "Full deck"},
    "lat_scheme_cycle_3": {"kk": "Қысқа пачка (1–3)", "ru": "Короткая пачка (1–3)", "en": "Short deck (1–3)"},
    "lat_load_first": {
        "kk": "Пачканы таңдаңыз: оның күтілетін нәтижесі сайлау пакетінен жасалады.",
        "ru": "Выберите пачку: её ожидаемый итог строится из пакета выборов.",
        "en": "Choose the deck: its expected tally is made from the election package.",
    },
    "lat_deck": {
        "kk": "Пачкада {sheets} парақ: {counted} саналады, {returned} қайтарылады",
        "ru": "В пачке {sheets} листов: {counted} засчитываются, {returned} возвращаются",
        "en": "The deck has {sheets} sheets: {counted} are counted, {returned} returned",
    },
    "lat_label_sheets_counted": {"kk": "Саналған парақтар", "ru": "Засчитано листов", "en": "Sheets counted"},
    "lat_label_sheets_pending": {
        "kk": "Аяқталмаған парақтар",
        "ru": "Незавершённые листы",
        "en": "Sheets pending",
    },
    "lat_label_returned": {
        "kk": "Қайтарылды: {reason}",
        "ru": "Возвращено: {reason}",
        "en": "Returned: {reason}",
    },
    "lat_label_blank": {"kk": "бос", "ru": "пустые", "en": "blank"},
    "lat_label_overvote": {"kk": "артық белгі", "ru": "лишние отметки", "en": "over-marked"},
    "lat_label_invalid": {"kk": "жарамсыз", "ru": "недействительные", "en": "invalid"},
    "lat_label_review": {"kk": "тексеруде", "ru": "на проверке", "en": "awaiting review"},
    "lat_compare": {"kk": "Салыстыру", "ru": "Сравнить", "en": "Compare"},
    "lat_print": {"kk": "Басып шығару", "ru": "Печать", "en": "Print"},
    "lat_comparing": {
        "kk": "Сынақ нәтижесі күтілетінмен салыстырылуда…",
        "ru": "Тестовый итог сравнивается с ожидаемым…",
        "en": "Comparing the test counts with the expected tally…",
    },
    "lat_passed": {"kk": "✓ СЫНАҚ ӨТТІ", "ru": "✓ ТЕСТ ПРОЙДЕН", "en": "✓ TEST PASSED"},
    "lat_failed": {"kk": "✗ СЫНАҚ ӨТПЕДІ", "ru": "✗ ТЕСТ НЕ ПРОЙДЕН", "en": "✗ TEST FAILED"},
    "lat_lines": {
        "kk": "Салыстырылған жол: {n}; сәйкес емес: {differ}",
        "ru": "Строк сверено: {n}; расходится: {differ}",
        "en": "Lines compared: {n}; differing: {differ}",
    },
    "lat_line": {
        "kk": "{line}: күтілген {expected}, саналған {counted} ({diff})",
        "ru": "{line}: ожидалось {expected}, подсчитано {counted} ({diff})",
        "en": "{line}: expected {expected}, counted {counted} ({diff})",
    },
    "lat_recorded": {
        "kk": "Нәтиже қол қойылған журналға жазылды: {code}",
        "ru": "Результат записан в подписанный журнал: {code}",
        "en": "The result is recorded in the signed journal: {code}",
    },
}


def text(key: str, lang: Lang, **values: object) -> str:
    entry = TEXT[key]
    return entry[lang].format(**values) if values else entry[lang]


def error_text(code: str, lang: Lang) -> str:
    """The message of a stable error code (kiosk/messages.py)."""
    entry = MESSAGES.get(code)
    if entry is None:
        return code
    return entry[lang]


def state_text(state: str, lang: Lang) -> str:
    return text(f"state_{state}", lang)


def role_text(role: str, lang: Lang) -> str:
    return text(f"role_{role}", lang)


# --- the language check: no string of another language left on screen --------------------------------


def _pieces(template: str) -> list[str]:
    """The literal pieces of a template between its {placeholders}, those with 4 letters or more."""
    return [p.strip() for p in re.split(r"{\w+}", template) if sum(ch.isalpha() for ch in p) >= 4]


class LanguageCheck:
    """Which strings on screen belong to a language other than the one shown: every catalogue
    entry, every message of kiosk/messages.py and the package's own texts (names, titles) are cut
    into their literal pieces; a piece of language M that no entry of language L contains, found
    on a screen shown in L, is a leftover of M."""

    def __init__(self, extra: Iterable[dict[str, str]] = ()) -> None:
        entries: list[dict[str, str]] = [{str(k): v for k, v in e.items()} for e in TEXT.values()]
        entries += [{k: v for k, v in m.items() if k in LANGS} for m in MESSAGES.values()]
        entries += [dict(e) for e in extra]
        self.pieces: dict[str, set[str]] = {lang: set() for lang in LANGS}
        whole: dict[str, list[str]] = {lang: [] for lang in LANGS}
        for e in entries:
            for lang in LANGS:
                if e.get(lang):
                    self.pieces[lang].update(_pieces(e[lang]))
                    whole[lang].append(e[lang])
        # A piece is foreign to L only if no text of L contains it ("Комиссия" is Kazakh too).
        self.only: dict[tuple[str, str], list[str]] = {}
        for lang in LANGS:
            own = "\n".join(whole[lang])
            for other in LANGS:
                if other != lang:
                    self.only[(lang, other)] = sorted(p for p in self.pieces[other] if p not in own)

    def foreign(self, texts: Iterable[str], lang: Lang) -> list[tuple[str, str, str]]:
        """(text on screen, the foreign piece in it, its language)."""
        found: list[tuple[str, str, str]] = []
        for t in texts:
            for other in LANGS:
                if other == lang:
                    continue
                for piece in self.only[(lang, other)]:
                    if piece in t:
                        found.append((t, piece, other))
                        break
        return found


# --- sync3 (issue 15): the background sync loop on the sync screen ----------------------------------
TEXT.update(
    {
        "sync_loop_phase": {
            "kk": "Фондық жіберу: {phase} · әрекет {attempts}",
            "ru": "Фоновая отправка: {phase} · попыток {attempts}",
            "en": "Background sending: {phase} · attempts {attempts}",
        },
        "sync_loop_stopped": {"kk": "тоқтатылды", "ru": "остановлена", "en": "stopped"},
        "sync_loop_idle": {"kk": "күтуде", "ru": "ожидает", "en": "idle"},
        "sync_loop_sending": {"kk": "жіберуде", "ru": "отправляет", "en": "sending"},
        "sync_loop_waiting": {"kk": "қайталауды күтуде", "ru": "ждёт повтора", "en": "waiting to retry"},
        "sync_loop_counts": {
            "kk": "Жіберілмеген {pending} · жіберілген {sent} · түбіртек алынған {received}",
            "ru": "Не отправлено {pending} · отправлено {sent} · квитанций получено {received}",
            "en": "Pending {pending} · sent {sent} · receipt received {received}",
        },
        "sync_loop_next": {
            "kk": "Келесі әрекет {seconds} с кейін",
            "ru": "Следующая попытка через {seconds} с",
            "en": "Next try in {seconds} s",
        },
        "sync_loop_error": {
            "kk": "Соңғы қате: {error}",
            "ru": "Последняя ошибка: {error}",
            "en": "Last error: {error}",
        },
    }
)


# --- kioskpolish (issue 14, the tour looked at): readable names, figures in words ---------------------
TEXT.update(
    {
        # A scanner or printer named for a person, not by its URL or driver key.
        "device_name_sim": {
            "kk": "Бағдарламалық сканер (sim:)",
            "ru": "Программный сканер (sim:)",
            "en": "Software scanner (sim:)",
        },
        "device_name_serial": {
            "kk": "Сериялық порттағы сканер ({port})",
            "ru": "Сканер на последовательном порту ({port})",
            "en": "Scanner on serial port {port}",
        },
        "device_name_folder": {
            "kk": "Қалта-сканер (суреттер қалтадан оқылады)",
            "ru": "Сканер-папка (снимки читаются из папки)",
            "en": "Folder scanner (images read from a folder)",
        },
        "device_name_camera": {"kk": "Камера ({port})", "ru": "Камера ({port})", "en": "Camera ({port})"},
        "device_name_model": {
            "kk": "{model}, сериялық нөмірі {serial}",
            "ru": "{model}, серийный номер {serial}",
            "en": "{model}, serial number {serial}",
        },
        "device_name_pdf": {
            "kk": "PDF принтер (киоск қалтасындағы print)",
            "ru": "PDF-принтер (папка print киоска)",
            "en": "PDF printer (the kiosk's print folder)",
        },
        "device_name_receipt": {
            "kk": "Чек принтері ({port})",
            "ru": "Чековый принтер ({port})",
            "en": "Receipt printer ({port})",
        },
        "device_name_cups": {
            "kk": "CUPS принтері «{port}»",
            "ru": "Принтер CUPS «{port}»",
            "en": "CUPS printer “{port}”",
        },
        # The calibration: each measure's figure in words (the CLI's detail is English).
        "calibration_image": {
            "kk": "{measure}, {n}-кескін ({side} жағы)",
            "ru": "{measure}, изображение {n} (сторона {side})",
            "en": "{measure}, image {n} (side {side})",
        },
        "calibration_all_passed": {
            "kk": "✓ {n}-кескін ({side} жағы): {count} өлшемнің бәрі өтті",
            "ru": "✓ Изображение {n} (сторона {side}): все {count} проверок пройдены",
            "en": "✓ Image {n} (side {side}): all {count} checks passed",
        },
        "calibration_some_passed": {
            "kk": "{n}-кескін ({side} жағы): {count} өлшемнің {passed} өтті",
            "ru": "Изображение {n} (сторона {side}): пройдено {passed} из {count} проверок",
            "en": "Image {n} (side {side}): {passed} of {count} checks passed",
        },
        "calibration_figure": {
            "kk": "өлшенгені {value}, рұқсат етілгені {limit}",
            "ru": "измерено {value}, допустимо {limit}",
            "en": "measured {value}, allowed {limit}",
        },
        "calibration_figure_offset": {
            "kk": "бет бұрышы {x} мм оңға, {y} мм төмен ығысқан; рұқсат етілгені {limit} мм",
            "ru": "угол страницы смещён на {x} мм вправо и {y} мм вниз; допустимо {limit} мм",
            "en": "the page's corner is {x} mm right and {y} mm down; allowed {limit} mm",
        },
        "calibration_figure_outside": {
            "kk": "беттің бір бөлігі кескіннен тыс",
            "ru": "часть страницы вне изображения",
            "en": "part of the page is outside the image",
        },
        "calibration_figure_levels": {
            "kk": "ақ {white} (кемінде {white_min}), қара {black} (көп дегенде {black_max}), "
            "ажыратылған сұр баспалдақ {steps} (кемінде {steps_min})",
            "ru": "белый {white} (не менее {white_min}), чёрный {black} (не более {black_max}), "
            "различимых ступеней серого {steps} (не менее {steps_min})",
            "en": "white {white} (at least {white_min}), black {black} (at most {black_max}), "
            "grey steps told apart {steps} (at least {steps_min})",
        },
        "calibration_figure_streak": {
            "kk": "сол жиектен {mm} мм жерде {kind} жолақ",
            "ru": "{kind} полоса в {mm} мм от левого края",
            "en": "a {kind} streak {mm} mm from the left edge",
        },
        "calibration_mm": {"kk": "мм", "ru": "мм", "en": "mm"},
        "calibration_streak_dark": {"kk": "күңгірт", "ru": "тёмная", "en": "dark"},
        "calibration_streak_light": {"kk": "ашық", "ru": "светлая", "en": "light"},
        "calibration_figure_dust": {
            "kk": "ақ қағаз үстінде {n} шаң түйіршігі; рұқсат етілгені {limit}",
            "ru": "{n} пылинок на белой бумаге; допустимо {limit}",
            "en": "{n} specks of dust over blank paper; allowed {limit}",
        },
        "calibration_figure_resolution": {
            "kk": "ажыратылған сызық жұптары: көлденең {x}/мм, бойлық {y}/мм; кемінде {limit}/мм",
            "ru": "различимо пар линий: поперёк {x}/мм, вдоль {y}/мм; не менее {limit}/мм",
            "en": "line pairs resolved: {x}/mm across, {y}/mm along the feed; at least {limit}/mm",
        },
        # A control ratio with its lines named: "2. Ballots received (1000) = 3. ... (700) + ...".
        "proto_ratio_line": {
            "kk": "{number}. {title}: {value}",
            "ru": "{number}. {title}: {value}",
            "en": "{number}. {title}: {value}",
        },
        "setup_dev_key_label": {
            "kk": "штабтың ӘЗІРЛЕУ кілті (нақты сайлауға емес)",
            "ru": "КЛЮЧ РАЗРАБОТКИ штаба (не для настоящих выборов)",
            "en": "the DEVELOPMENT headquarters key (not for real elections)",
        },
        "proto_signer_device": {
            "kk": "киоск құрылғысы",
            "ru": "устройство киоска",
            "en": "the kiosk's device",
        },
        "proto_ratio_unset": {"kk": "енгізілмеген", "ru": "не введено", "en": "not entered"},
    }
)

# --- kiosk6 (issue 14 leftovers): the thresholds' histogram drawn in the screen's language -----------
# The words of kiosk.calibration.thresholds.histogram_png's display copy (its LABEL_KEYS, prefixed
# "histo_"); the official picture the journal signs keeps its own.
TEXT.update(
    {
        "histo_title": {
            "kk": "{station} учаскесі: өз сканерлеуі бойынша таңдалған белгі шектері",
            "ru": "Участок {station}: пороги отметок по его собственным сканам",
            "en": "Station {station}: mark thresholds from its own scans",
        },
        "histo_subtitle": {
            "kk": "Калибрлеу пачкасының ұпайлары, шаршының түрі бойынша (баған биіктігі: саны, түбір шкаласы)",
            "ru": "Оценки калибровочной пачки по виду квадрата (высота столбца: число, шкала корня)",
            "en": "Scores of the calibration deck by what each square is (bar height: count, square-root scale)",
        },
        "histo_empty": {
            "kk": "бос шаршылар, өшірілген белгілер",
            "ru": "пустые квадраты, стёртые отметки",
            "en": "empty squares, erasures",
        },
        "histo_doubtful": {"kk": "күмәнді нүктелер", "ru": "сомнительные точки", "en": "hesitation dots"},
        "histo_clear": {"kk": "анық белгілер", "ru": "чёткие отметки", "en": "voting marks"},
        "histo_axis": {
            "kk": "ұпай: шаршыға қосылған сия, оның ішкі ауданының үлесі",
            "ru": "оценка: чернила, добавленные в квадрат, доля его внутренней площади",
            "en": "score: ink added in the square, share of its inside",
        },
        "histo_marginal": {"kk": "күмәнді", "ru": "сомнительная", "en": "doubtful"},
        "histo_marked": {"kk": "белгі", "ru": "отметка", "en": "marked"},
        "histo_zone_empty": {"kk": "бос", "ru": "пусто", "en": "empty"},
        "histo_zone_commission": {
            "kk": "комиссия шешеді",
            "ru": "решает комиссия",
            "en": "the commission decides",
        },
        "histo_zone_vote": {"kk": "дауыс", "ru": "голос", "en": "vote"},
        "signin_technicians_refused": {
            "kk": "Техниктер кіре алмайды. {why}",
            "ru": "Техники не могут войти. {why}",
            "en": "Technicians cannot sign in. {why}",
        },
        "histogram_display_note": {
            "kk": "Сурет экран тілінде салынған; журнал қол қойған түпнұсқасы: {file}",
            "ru": "Картинка нарисована на языке экрана; подписанный журналом оригинал: {file}",
            "en": "Drawn in the screen's language; the original the journal signs: {file}",
        },
    }
)


def histogram_labels(lang: Lang) -> dict[str, str]:
    """The histogram's words in `lang` (kiosk.calibration.thresholds.LABEL_KEYS)."""
    from kiosk.calibration.thresholds import LABEL_KEYS

    return {k: text(f"histo_{k}", lang) for k in LABEL_KEYS}


# Russian and Kazakh Cyrillic to Latin letters, for a name the package gives in no Latin form
# (the English screen shows "Abenov Dauren Alibekovich", not the Cyrillic): display only, the
# package and its hash stay as they are. Close to the passports' transliteration (ICAO 9303).
_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip


def latin(s: str) -> str:
    """`s` with its Cyrillic letters written in Latin ones (case kept: "Жумабаев" -> "Zhumabaev")."""
    out: list[str] = []
    for i, ch in enumerate(s):
        low = ch.lower()
        if low not in _LATIN:
            out.append(ch)
            continue
        lat = _LATIN[low]
        if ch != low:  # a capital: the whole digraph in capitals inside a word written in capitals
            shout = any(c.isupper() for c in s[i + 1 : i + 2]) or (i > 0 and s[i - 1].isupper())
            lat = lat.upper() if shout else lat.capitalize()
        out.append(lat)
    return "".join(out)


def english_or_latin(en: str | None, ru: str) -> str:
    """A package text's English form: its own where the package gives one, else the Russian one
    in Latin letters."""
    return en if en else latin(ru)
