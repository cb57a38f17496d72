"""Contact and network recognizers: labelled rows, positives and look-alikes."""

from __future__ import annotations

import pytest
import re2
from hypothesis import given
from hypothesis import strategies as st

from agentshield.engines.pii.recognizers.username import UsernameRecognizer

from .conftest import Found

ROWS = [
    # EMAIL
    ("write to jane.roe@acme-corp.com today", [("EMAIL", "jane.roe@acme-corp.com")]),
    ("cc: ops+alerts@mail.example.co.uk", [("EMAIL", "ops+alerts@mail.example.co.uk")]),
    ("git clone git@github.com:acme/api.git", []),  # a repository's remote
    ("mail gita@example.com", [("EMAIL", "gita@example.com")]),
    ("the file is report@2x.png", []),  # not a known top-level domain
    ("meet me @ the office", []),
    # A mail's headers: a message's id is no one's address; the sender's and a reply's are.
    (
        "Message-ID: <CAF7x9q3+abc123@mail.gmail.com>\nIn-Reply-To: <20261201.1234@example.com>"
        "\nReferences: <a1b2@example.com>\n <c3d4.e5@mail.example.org>\n"
        "From: Jane Roe <jane.roe@example.com>\nReply-To: <ops@example.com>",
        [("EMAIL", "jane.roe@example.com"), ("EMAIL", "ops@example.com")],
    ),
    ('{"internetMessageId": "<BY5PR11MB4001@namprd11.prod.outlook.com>"}', []),
    ("references: see <jane.roe@example.com>", [("EMAIL", "jane.roe@example.com")]),
    # PHONE
    ("call me on +44 20 7946 0958 tomorrow", [("PHONE", "+44 20 7946 0958")]),
    # Python's traceback holds no phone word (`call last`), beyond ASCII too; a word after
    # it still counts.
    ("Traceback (most recent call last):\n  ...\nValueError: bad id 415 555 0132", []),
    ("Traceback (most recent call last):\nValueError: id 415 555 0132 no válido", []),
    (
        "Traceback (most recent call last): call me on 415 555 0132",
        [("PHONE", "415 555 0132")],
    ),
    # After a `+` the digits are an international number only: invalid in Spain, this one
    # is no Italian number without its `+`, nor is one invalid in the US a Brazilian one.
    ("phone +34 86 7350 7994 today", []),
    ("phone +1 531 619 953 today", []),
    (
        "phone +1 617 269 6058, or 617 269 6058",
        [("PHONE", "+1 617 269 6058"), ("PHONE", "617 269 6058")],
    ),
    # The Unicode collation table's weights, near a character's name.
    ("02BA  ; [*0293.0020.0002] # X\n260E  ; [*0294.0020.0002] # BLACK TELEPHONE", []),
    ("telephone 0294.0020.0002", [("PHONE", "0294.0020.0002")]),
    ("US office (415) 555-0132", [("PHONE", "(415) 555-0132")]),
    ("llámame al 612 345 678", [("PHONE", "612 345 678")]),
    # Spain's numbers end in two pairs as often (a mobile's 3-2-2-2, a landline's 2-3-2-2).
    ("Teléfono: 612 34 56 78", [("PHONE", "612 34 56 78")]),
    ("llámame al 91 123 45 67", [("PHONE", "91 123 45 67")]),
    ("scores 12 34 56 78 today", []),
    ("tel 06 12 34 56 78", [("PHONE", "06 12 34 56 78")]),
    # French and Portuguese words for a phone (`tél.` was no `tel`).
    ("Marie Dupont, tél. 06 12 34 56 78", [("PHONE", "06 12 34 56 78")]),
    ("meu telefone é 11 91234-5678", [("PHONE", "11 91234-5678")]),
    ("Celular: 11 91234-5678", [("PHONE", "11 91234-5678")]),
    # Italian's, Dutch's, Polish's, and Spanish's written without accents.
    ("il mio numero di telefono è 347 123 4567", [("PHONE", "347 123 4567")]),
    ("mijn telefoonnummer is 06-12345678", [("PHONE", "06-12345678")]),
    ("mijn mobiel: 06 12345678", [("PHONE", "06 12345678")]),
    ("numer telefonu 512 345 678", [("PHONE", "512 345 678")]),
    ("mi movil 612 345 678", [("PHONE", "612 345 678")]),
    ("Telefon 0049 30 1234567", [("PHONE", "0049 30 1234567")]),  # 00: the `+` dialled
    # Germany's, always with the trunk `0`, spaced, dashed or slashed, under German words.
    ("Handy 0151 23456789", [("PHONE", "0151 23456789")]),
    ("Telefon: 089 1234567", [("PHONE", "089 1234567")]),
    ("Mobil: 0176 12345678", [("PHONE", "0176 12345678")]),
    ("ruf mich an: 030 12345678", [("PHONE", "030 12345678")]),
    ("my number is 415.555.0132", [("PHONE", "415.555.0132")]),
    # A key in camel case: a capital may follow a context word; a small letter may not.
    ('{"phoneNumber": "4155550132"}', [("PHONE", "4155550132")]),
    (
        '[{"mobileNumber": "3125550100", "ssnValue": "536904399"}]',
        [
            ("PHONE", "3125550100"),
            ("US_SSN", "536904399"),
        ],
    ),
    ("callbackId = 4155550132", []),
    ("mi número es 612 34 56 78", [("PHONE", "612 34 56 78")]),
    ("Festnetz 0221-1234567", [("PHONE", "0221-1234567")]),
    ("Telefon 040/1234567", [("PHONE", "040/1234567")]),
    ("Telefonnummer: 089 / 123 4567", [("PHONE", "089 / 123 4567")]),
    ("call #84647 431 items", []),  # a German number has its `0`
    ("Seite 012/2024", []),
    ("Telefon: 078-05-1120", []),  # a US SSN's shape, which no phone plan writes
    ("Platt, J. Numer. Anal. 1 (1981) 267-283. Phone the author", []),  # a year, pages
    ("phone (0141) 496-0018", [("PHONE", "(0141) 496-0018")]),
    ("ref 0026 5907 51", []),  # +265 5907 51 is no valid number
    ("ref 0049030442", []),  # digits alone: as likely an id padded with zeros
    ("released on 2024-01-15 at 10:30", []),  # dates are not phones
    ("+1 000 000 0000 is not a number", []),  # fails phonenumbers' validity
    ("we shipped 1234 5678 units", []),
    # a US number with its trunk prefix `1` (Presidio finds it; before, the `1-` glued the
    # rest and nothing was found)
    ("call 1-415-555-0132", [("PHONE", "1-415-555-0132")]),
    ("call 1 800 555 0199 today", [("PHONE", "1 800 555 0199")]),
    ("call 5-1-415-555-0132", []),  # glued to more digits
    # a number run into what follows a blank: the end before it
    ("Call me on +1-312-738-9125. 2022-03-27", [("PHONE", "+1-312-738-9125")]),
    ("call +1 415 555 0132 24/7", [("PHONE", "+1 415 555 0132")]),
    ("phone: 415 555 0132 1234", [("PHONE", "415 555 0132")]),
    # the whole match is glued to a date, the end before its blank is not
    ("Call me on +1-312-738-9125 2022-03-27", [("PHONE", "+1-312-738-9125")]),
    # the end kept is glued at its start (`7.+1`): only the national reading is left
    ("call 7.+1 415 555 0132 24/7", [("PHONE", "1 415 555 0132")]),
    ("call 415-555-0132-99", []),  # glued to more digits: no end before a blank
    ("invoice 943 476 5919 is paid", []),  # a bare national number needs a phone word
    # IP_ADDRESS and IPV6
    ("ssh from 203.0.113.45 failed", [("IP_ADDRESS", "203.0.113.45")]),
    ("bind to 127.0.0.1 and 0.0.0.0", []),  # loopback and unspecified are nobody's
    # A network's own address names no host.
    ("allow 10.0.0.0/8 and 192.168.0.0/16 from host 10.0.3.7", [("IP_ADDRESS", "10.0.3.7")]),
    ("link-local\t169.254.0.0", []),
    # Four single digits: a version, a section or a big network's resolver.
    ("This was fixed in 1.5.4.1.", []),
    # A standard's sections in code's comments: heading one with its title, in brackets,
    # or cited; a private network's address there stays, a multicast group's is no host's.
    ("      // 23.3.4.2 construct/copy/destroy:", []),
    ("    // [27.4.2.2] fmtflags state functions", []),
    ("  /// class collate_byname [22.2.4.2].", []),
    ("\t/* 30.3.3.3 aMACControlFramesTransmitted */", []),
    ("      // C++14 20.8.2.3", []),
    ('/* "Ethernet Networking Functional Descriptor" from CDC spec 5.2.3.16 */', []),
    ("   * described in ECMA-262, 15.10.4.1.", []),
    ("// 10.0.0.1 is the gateway", [("IP_ADDRESS", "10.0.0.1")]),
    ("// connect to 21.4.2.2 first", [("IP_ADDRESS", "21.4.2.2")]),
    ("Received: from mx ([21.4.2.2]:25)", [("IP_ADDRESS", "21.4.2.2")]),
    ("#define INADDR_ALLHOSTS_GROUP ((in_addr_t) 0xe0000001) /* 224.0.0.1 */", []),
    (
        "ssh from 5.9.24.31 and 223.9.24.31",
        [("IP_ADDRESS", "5.9.24.31"), ("IP_ADDRESS", "223.9.24.31")],
    ),
    ("upstream V8 is at 5.0.71.47", [("IP_ADDRESS", "5.0.71.47")]),  # (a version, unnamed)
    ('<a href="#SHA512">7.1.1.3 <acronym>SHA512</acronym></a>', []),
    ("upgrade to version 1.2.3.4.5", []),  # glued to more numbers
    ("octet 256.1.1.1 is out of range", []),
    # A version of four numbers is no address, in prose, a JSON member or a table's column.
    ("we upgraded to version 1.2.3.4 yesterday", []),
    ("as the HTML5 spec's section 8.2.4.44 says", []),  # a document's section
    # A section's number heading its title; an address ending a sentence is one.
    ('<a name="dh-structure"></a>10.3.2.1. Structure</h4>', []),
    ("Contents\n10.3.2.2. The Root Node\n", []),
    ("The server is at 10.3.2.1. Then connect.", [("IP_ADDRESS", "10.3.2.1")]),
    ("10.3.2.1: Structure", [("IP_ADDRESS", "10.3.2.1")]),
    # reStructuredText's link to a section by its number; an address in a code span stays.
    ("See section `3.2.2.10`_ of the guide, and `3.3.2.11`__.", []),
    ("ssh to `10.0.4.22` now", [("IP_ADDRESS", "10.0.4.22")]),
    ("build 2.10.4.1 is out", []),
    # A changelog's release, under its heading or in a note.
    ("Changes in 2.10.1.3:\n- faster start", []),
    ("Fixed in 1.2.10.4, see above", []),
    ("* v8: upgrade to 3.24.35.22\n* upgrade v8 to 3.20.14.1", []),  # an upgrade's
    ("        .. versionchanged:: 0.7.100.3", []),  # Sphinx's
    # A release named by its number, before its notes (Git's are in /usr/share/doc).
    ("Git 1.7.12.1 Release Notes\n==========================", []),
    ("see the 2.10.1.3 changelog", []),
    ("server 10.20.30.40 released its lease", [("IP_ADDRESS", "10.20.30.40")]),
    ("From host 178.83.236.72. Release it", [("IP_ADDRESS", "178.83.236.72")]),  # a stop
    # An object identifier.
    ('    CRL_NUMBER = ObjectIdentifier("2.5.29.20")', []),
    ("* `'x25519'` (OID 1.3.101.110)", []),
    # A program's update or patch (node's changelogs: V8's versions have four numbers).
    ("**deps**: update V8 to 9.7.106.18; patch V8 to 10.2.154.4", []),
    ("update host to 10.4.5.6", [("IP_ADDRESS", "10.4.5.6")]),
    # SVG's path data (in every page of node's documentation); a list of addresses.
    ('<path d="M12 1.52-.87 2.83-2.12 3.51.98.32 2.03.5 3.11.5"/>', []),
    (
        "hosts 10.0.0.1 10.0.0.2, load 0.5 10.0.0.3",
        [("IP_ADDRESS", "10.0.0.1"), ("IP_ADDRESS", "10.0.0.2"), ("IP_ADDRESS", "10.0.0.3")],
    ),
    ("updated the DNS record to 10.1.2.3", [("IP_ADDRESS", "10.1.2.3")]),  # a record's
    ("the new host in 10.0.0.5's subnet", [("IP_ADDRESS", "10.0.0.5")]),
    ('{"firmware": "1.0.0.2", "host": "10.20.30.40"}', [("IP_ADDRESS", "10.20.30.40")]),
    ("release: 3.2.1.0 on server 10.0.0.7", [("IP_ADDRESS", "10.0.0.7")]),
    (
        "| host | version |\n|---|---|\n| 10.0.0.5 | 1.2.3.4 |\n| 10.0.0.6 | 1.2.3.9 |",
        [("IP_ADDRESS", "10.0.0.5"), ("IP_ADDRESS", "10.0.0.6")],
    ),
    ("reversion to 10.2.3.4", [("IP_ADDRESS", "10.2.3.4")]),  # a word that ends in a label
    # A cloud's host name spells the address with dashes, glued to the rest of the name.
    (
        "NAME                        STATUS\nip-10-0-1-23.ec2.internal   Ready",
        [("IP_ADDRESS", "10-0-1-23")],
    ),
    ("ssh -i k.pem ubuntu@ec2-3-88-1-2.compute-1.amazonaws.com", [("IP_ADDRESS", "3-88-1-2")]),
    ("ip-127-0-0-1 and ip-10-0-0-0 skip-1-2-3-4", []),
    ("client 2001:db8:85a3::8a2e:370:7334 connected", [("IPV6", "2001:db8:85a3::8a2e:370:7334")]),
    ("use std::vector and a::b", []),
    # Bytes in colons (`openssl x509 -text`'s fingerprints and moduli): no IPV6, no MAC.
    ("SHA256 Fingerprint=FD:6E:9B:0E:F3:98:BC:D9:04:C3:B2:EC:16:7A:7B:0F:DA:72:01:C9", []),
    ("    Modulus:\n        00:a2:e3:00:b0:d2:fa:92:57:02:97:5e:80:\n", []),
    ("client 10:20:30:40:50:60:70:80", []),
    # MAC_ADDRESS
    ("device 00:1A:2B:3C:4D:5E joined", [("MAC_ADDRESS", "00:1A:2B:3C:4D:5E")]),
    ("cisco 001a.2b3c.4d5e", [("MAC_ADDRESS", "001a.2b3c.4d5e")]),
    # A longer dotted number's tail: the Unicode collation table's weights.
    ("0041  ; [.1FA2.0020.0008] # LATIN CAPITAL LETTER A", []),
    ("0020  ; [*0209.0020.0002] # SPACE", []),
    ("mac (001a.2b3c.4d5e)", [("MAC_ADDRESS", "001a.2b3c.4d5e")]),
    (
        "link/ether fa:89:b9:c1:f8:c8 brd ff:ff:ff:ff:ff:ff",  # broadcast names no device
        [("MAC_ADDRESS", "fa:89:b9:c1:f8:c8")],
    ),
    ("link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00", []),
    # An interface's address with its network's prefix length.
    (
        "inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0",
        [("IP_ADDRESS", "192.0.2.2"), ("IP_ADDRESS", "192.0.2.255")],
    ),
    ("allow 203.0.113.5/32", [("IP_ADDRESS", "203.0.113.5")]),
    ("see 1.2.3.4/5.6.7.8", []),  # glued to more of the same
    ("mixed 00:1A-2B:3C-4D:5E", []),
    # URL_WITH_CREDENTIALS; it ends before a code span's backtick and a sentence's comma.
    (
        "clone `https://jdoe:s3cr3t@github.com/acme/app.git`, then",
        [("URL_WITH_CREDENTIALS", "https://jdoe:s3cr3t@github.com/acme/app.git")],
    ),
    (
        "https://jdoe:s3cr3t@github.com, then",
        [("URL_WITH_CREDENTIALS", "https://jdoe:s3cr3t@github.com")],
    ),
    (
        "clone https://deploy:s3cretpw@git.example.com/repo.git",
        [("URL_WITH_CREDENTIALS", "https://deploy:s3cretpw@git.example.com/repo.git")],
    ),
    ("see https://example.com/a:b", []),
    # ADDRESS
    (
        "ship to 123 Main Street, Springfield, IL 62704 please",
        [("ADDRESS", "123 Main Street, Springfield, IL 62704")],
    ),
    (
        "I live at 221B Baker Street, London NW1 6XE",
        [("ADDRESS", "221B Baker Street, London NW1 6XE")],
    ),
    ("vivo en Calle Mayor 5, 28013 Madrid", [("ADDRESS", "Calle Mayor 5, 28013 Madrid")]),
    # A ZIP+4 code after its state's or a postal label is no (Spanish) phone number.
    (
        "PO Box 1234, Springfield, IL 62704-1234, call us",
        [("ADDRESS", "PO Box 1234, Springfield, IL 62704-1234")],
    ),
    ("Austin TX 78701-4321. Call us.", []),
    ("# Fifth Floor, Boston, MA\n# 02110-1301 USA, or call", []),  # a licence's header
    ("zip 94105-1804, phone 415-555-0132", [("PHONE", "415-555-0132")]),
    ("ligue 98765-4321 celular", [("PHONE", "98765-4321")]),
    # A US street's direction, before or after its name, and a unit: the city, state and
    # ZIP code after them are the address's too.
    # A post office box with its town; without one it is no address.
    ("PO Box 1234, Springfield, IL 62704", [("ADDRESS", "PO Box 1234, Springfield, IL 62704")]),
    ("Write to P.O. Box 77, London W1A 1AA.", [("ADDRESS", "P.O. Box 77, London W1A 1AA")]),
    ("the PO Box 12 is full", []),
    (
        "send it to 1600 Pennsylvania Avenue NW, Washington, DC 20500",
        [("ADDRESS", "1600 Pennsylvania Avenue NW, Washington, DC 20500")],
    ),
    (
        "mail 42 N. Main St Apt 4B, Springfield, IL 62704",
        [("ADDRESS", "42 N. Main St Apt 4B, Springfield, IL 62704")],
    ),
    (
        "office: 350 5th Ave NE, Suite 300, New York, NY 10118",
        [("ADDRESS", "350 5th Ave NE, Suite 300, New York, NY 10118")],
    ),
    (
        "at 12 E 34th St, Floor 5, New York, NY 10016",
        [("ADDRESS", "12 E 34th St, Floor 5, New York, NY 10016")],
    ),
    ("see 10 Downing Street SW1A 2AA", [("ADDRESS", "10 Downing Street SW1A 2AA")]),
    (
        "at 1 Infinite Loop, Cupertino, CA 95014",
        [("ADDRESS", "1 Infinite Loop, Cupertino, CA 95014")],
    ),
    # A Spanish floor and door before the postcode (`º` and `ª` are scanned as NFKC's o, a).
    ("vivo en C/ Mayor, 5, 3º B, 28013 Madrid", [("ADDRESS", "C/ Mayor, 5, 3º B, 28013 Madrid")]),
    (
        "en Calle de Alcalá 50, 2º izq., 28014 Madrid",
        [("ADDRESS", "Calle de Alcalá 50, 2º izq., 28014 Madrid")],
    ),
    ("en Calle Mayor 5, 3° B, 28013 Madrid", [("ADDRESS", "Calle Mayor 5, 3° B, 28013 Madrid")]),
    ("the street was busy", []),
    # A company's or an institution's address, right after its name, is no person's.
    ("# Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA\n# 02110-1301 USA", []),
    ("the Free Software Foundation, Inc.,\n# 51 Franklin St, Fifth Floor, Boston, MA", []),
    ("Acme Corp., 1 Infinite Loop, Cupertino, CA 95014", []),
    # A copyright notice's line: a year, a name ending in a street's word.
    ("Copyright:\n 2008 Hans Breuer\n 2021 Iain Lane\n 2018-2021 Igalia S.L", []),
    # Years before the name's (a street type cut short by a letter past ASCII).
    ("Copyright:\n\t   2013-2014 Timo Teräs\n © 2014 Piotr Drąg\n 2007\u20132020 Anne Ter", []),
    ("ship to 1999 Oak Lane", [("ADDRESS", "1999 Oak Lane")]),
    ("in the login scripts for your session", []),
    # USERNAME
    # A pronoun after the key is prose; a URL's credentials spelled out name no one.
    ("#  on    Enable the user: it is possible to authenticate as this user.", []),
    ("For example: `'user:pass'`.", []),
    ("user: jdoe", [("USERNAME", "jdoe")]),
    # An Amazon resource name's template names its fields: a resource's type follows.
    ("of the form arn:aws:acm-pca:region:account:certificate-authority/1234", []),
    ("<code>arn:aws:acm-pca:<i>region</i>:<i>account</i>:certificate-authority/<i>1</i>", []),
    ("arn:aws:iam::123456789012:user/jdoe and account: jdoe", [("USERNAME", "jdoe")]),
    # Other languages' prose, with its verb; what it says a user name is, or a word cut
    # short at a letter beyond ASCII, is no handle.
    ("Mein Benutzername ist mmueller.", [("USERNAME", "mmueller")]),
    ("mon identifiant est jdupont", [("USERNAME", "jdupont")]),
    ("Mijn gebruikersnaam is jjansen", [("USERNAME", "jjansen")]),
    ("il mio nome utente è mrossi", [("USERNAME", "mrossi")]),
    ("Der Benutzername ist falsch", []),
    # A handle holding letters past ASCII, whole after a separator (it was cut at the
    # first: `m`); after a key and a blank alone, words of Spanish or French prose, and a
    # word cut there is none (`usuario est\u00e1` gave `est`).
    ("login: m\u00fcller", [("USERNAME", "m\u00fcller")]),
    ('{"username": "jos\u00e9.garc\u00eda"}', [("USERNAME", "jos\u00e9.garc\u00eda")]),
    ("mi usuario est\u00e1 bloqueado", []),
    ("el usuario \u00fanico puede entrar", []),
    ("login r\u00e9ussi pour", []),
    ("Der Benutzername ist g\u00fcltig", []),
    # Quoted after "is", in any of them.
    ('your username is "jdoe"', [("USERNAME", "jdoe")]),
    # Or in a markdown code span, as models write it.
    ("the username `jdoe` works", [("USERNAME", "jdoe")]),
    ("my username is `jdoe`", [("USERNAME", "jdoe")]),
    ("username `--user`", []),
    ("which gave the USERNAME `otherwise`).", []),  # a word: prose's, as without the span
    ("Your login is 'kwilliams'.", [("USERNAME", "kwilliams")]),
    ("Mein Benutzername ist \u201emmueller\u201c.", [("USERNAME", "mmueller")]),
    ("Mon identifiant est \u00ab jdupont \u00bb.", [("USERNAME", "jdupont")]),
    ("Der Benutzername ist \u201efalsch\u201c.", []),
    # A handle assigned in a statement of its own is code's; in prose or capitals, a user's.
    ("        handle = win32.STDOUT", []),
    ("x = 1\n    self.handle = 'closed'", []),
    ("my twitter handle = jdoe42", [("USERNAME", "jdoe42")]),
    ("HANDLE=jdoe42", [("USERNAME", "jdoe42")]),
    # A doc comment's field describes its argument (kernel-doc's `@handle:`).
    (" * @handle:      buffer handle returned to user mode,", []),
    ("Der Benutzername ist gesperrt", []),
    ("Benutzername und Passwort eingeben", []),
    ("Le nom d'utilisateur est requis", []),
    ("O usuário é inválido", []),
    ("login jdoe to continue", [("USERNAME", "jdoe")]),
    # A log line's pairs: the word after `login` keys the next one.
    (
        "INFO user=alice action=login ip=198.51.100.23 ok",
        [("USERNAME", "alice"), ("IP_ADDRESS", "198.51.100.23")],
    ),
    # A key may end a longer name, but not code's (an attribute, an assignment, a dict's
    # value that is no string).
    (
        '{"login": "octocat", "twitter_username": "monatheoctocat"}',
        [("USERNAME", "octocat"), ("USERNAME", "monatheoctocat")],
    ),
    ("export DB_USER=app_admin", [("USERNAME", "app_admin")]),
    ("github_username: octocat", [("USERNAME", "octocat")]),
    ("self._handle = buffer", []),
    ("before_user = before_app;", []),
    ('_inner_class_types = {"customer_login": CustomerLogin}', []),
    ('_USER_ID: Final = "user_id"', []),  # a typing annotation
    ("cmd = get_command_line(parent_pid=os.getpid(), pipe_handle=rhandle)", []),
    ("https://example.com/cb?db_user=jdoe&x=1", [("USERNAME", "jdoe")]),
    # A log's outcome of a login is no handle; the user after it is.
    (
        "2026-12-07T07:21:33Z INFO login ok user=jdoe ip=203.0.113.42",
        [("USERNAME", "jdoe"), ("IP_ADDRESS", "203.0.113.42")],
    ),
    ("WARN login denied for user: mrossi", [("USERNAME", "mrossi")]),
    # A remote login's `user@host` is a user at a host, not an address: the user is read,
    # the host left (the command still runs); not the accounts of cloud images.
    (
        "ssh -i ~/.ssh/id_ed25519 -p 2222 jdoe@bastion.example.org uptime",
        [("USERNAME", "jdoe")],
    ),
    ("$ scp report.pdf jane.roe@files.example.com:~/in/", [("USERNAME", "jane.roe")]),
    ("rsync -avz ./dist/ mrossi@web1.example.com:/var/www/", [("USERNAME", "mrossi")]),
    ("git clone ssh://jdoe@git.example.com/repo.git", [("USERNAME", "jdoe")]),
    (
        "ssh -o StrictHostKeyChecking=no ubuntu@ec2-3-88-1-2.compute-1.amazonaws.com",
        [("IP_ADDRESS", "3-88-1-2")],  # the host name's address (below); no user
    ),
    ("ssh ec2-user@bastion.example.org", []),
    # A home directory's name in a path: a traceback's, a shell's, Windows' (escaped in JSON).
    ('File "/home/jdoe/projects/app/main.py", line 3', [("USERNAME", "jdoe")]),
    ("cd /Users/janeroe/Downloads", [("USERNAME", "janeroe")]),
    ("C:\\Users\\mrossi\\Documents\\report.docx", [("USERNAME", "mrossi")]),
    ('{"path": "C:\\\\Users\\\\mrossi\\\\AppData"}', [("USERNAME", "mrossi")]),
    ("PATH=/usr/bin:/home/mrossi/bin", [("USERNAME", "mrossi")]),
    # A Windows name of several words, before its `\`; a file URL's path.
    ("C:\\Users\\Jane Roe\\Documents\\cv.docx", [("USERNAME", "Jane Roe")]),
    ("C:\\Users\\mrossi and then more", [("USERNAME", "mrossi")]),
    ("open file:///home/mrossi/notes.txt", [("USERNAME", "mrossi")]),
    # Not a web site's path, another directory's, a shared or a CI's home, nor a file.
    ("https://example.com/home/about", []),
    ("/srv/www/home/index.html", []),
    ("ls /home/ubuntu/ /home/runner/work C:\\Users\\Public\\Desktop", []),
    ("    at Object.<anonymous> (/home/index.js:1:15)", []),
    ("--allow-fs-read=/home/.gitignore", []),  # a hidden file: no user's name opens with `.`
    # Prose about ssh, the address under another word: an address.
    ("ssh keys for jane@acme.com were rotated", [("EMAIL", "jane@acme.com")]),
    ("mail jane@example.com about ssh access", [("EMAIL", "jane@example.com")]),
    ("ssh\nwrite to jane@example.com", [("EMAIL", "jane@example.com")]),  # another line
    ("usuario = maria_g", [("USERNAME", "maria_g")]),
    ("identifiant : jdupont", [("USERNAME", "jdupont")]),
    ("utente: mrossi", [("USERNAME", "mrossi")]),
    ("gebruikersnaam = jjansen", [("USERNAME", "jjansen")]),
    ("usuário: jsilva", [("USERNAME", "jsilva")]),
    ("docker login ghcr.io -u ci", []),  # a host one logs in to
    # Code naming a user, not a handle: a type, a call, a variable, the next line's code.
    ("def f(user_id: Optional[str], handle: int):", []),
    ("user = User(name=name)", []),
    ("username = self.username", []),
    ("account = account.id", []),
    ("    t = Transaction(user=my_user)", []),
    ('>>> channel = KeyspaceChannel("user:123", db=0)', []),  # an id, no handle
    ('    :param user: indicates to use the "user" scheme', []),
    ("I can store your PyPI login so future uploads work", []),
    ("user: jdoe_42", [("USERNAME", "jdoe_42")]),
    ("handle: asyncio.TimerHandle | None = None", []),
    ("    username: Available when the proxy address contains one.", []),
    ("if login:\n    raise ValueError", []),
    ("if not login\n    raise ValueError", []),
    ("login j.doe to continue", [("USERNAME", "j.doe")]),
    # A dot inside a handle is the handle's; one after it, the sentence's.
    ("Sign in with login: j.doe.", [("USERNAME", "j.doe")]),
    # A JSON member's or a dict's key closes its quote before the separator.
    ('{"username": "jdoe", "team": "ops"}', [("USERNAME", "jdoe")]),
    ("{'login': 'maria_g'}", [("USERNAME", "maria_g")]),
    ('user: "jdoe"', [("USERNAME", "jdoe")]),
    ('{"user": {"team": "ops"}}', []),
    ("<user><login>jdoe</login></user>", [("USERNAME", "jdoe")]),
    ("go to login > settings", []),
    # An account's number is no user name; its handle is.
    ("account: jdoe", [("USERNAME", "jdoe")]),
    ("account: 4336772981", []),
    ('[{"account": "2915987219", "status": "closed"}]', []),
    ("the login page failed again", []),
    # Prose after a bare "login" or "username", and accounts that are no one's.
    ("# Login configuration initializations", []),
    ("changing their login shell.", []),
    ("paths can use ~username expansion", []),
    ("Login Host Protocol (TACACS)", []),
    ("no login etc.", []),
    ("a bare login keyword", []),
    ("write a test for a login function", []),
    # A word after a bare "login" or "username" is prose (lexicon.py), not a handle.
    ("sourced by bash(1) for login shells", []),
    ("    The username needed to sign in", []),
    ("my security key adds login protection", []),
    ("proxy_user: The username used to authenticate", []),
    ("the password and username directly.", []),  # a sentence's stop after the word
    ("# If SYSTEM-USERNAME starts with a slash", []),
    # Column names (pg_ident.conf's header) and the fields of a passwd entry.
    ("# MAPNAME       SYSTEM-USERNAME         PG-USERNAME", []),
    ("    # Four parameters: USERNAME UID GID HOMEDIR", []),
    ("user: jane-doe", [("USERNAME", "jane-doe")]),
    # Code: a variable assigned in a function, a type's name holding a key's word.
    ("def f(x):\n        username = prefix\n", []),
    ("[db]\n    user = jdoe\n", [("USERNAME", "jdoe")]),
    ("        user = 'jdoe'", [("USERNAME", "jdoe")]),
    ("def get_user_me(username: UserNameDep):", []),
    ("    user: OrganizationUser", []),
    ("user: JaneDoe", [("USERNAME", "JaneDoe")]),
    # Prose: an article before the key, words after it.
    ("        # abort the login: keep polling until the device code expires", []),
    ("can be achieved by the user: simply wrap the call", []),
    ("the user: jdoe", [("USERNAME", "jdoe")]),
    # A docstring's description after the key, pg_hba.conf's `all`, an object's id.
    ("          user: Deprecated: use `safety_identifier` instead.", []),
    ("            username: HTTP Basic Auth username.", []),
    ("user='all', auth_method='trust'", []),
    ('e.g. `"ssh://687fb701029421ae5549d998@ssh.hf.jobs"`', []),
    ("ssh://jdoe42@ssh.example.com", [("USERNAME", "jdoe42")]),
    # System accounts (a D-Bus policy's), C++'s types; an element's or a line's end stays.
    ('  <policy user="polkitd">', []),
    ('        <policy user="systemd-timesync">', []),
    ("using Handle = Local<T>;", []),
    ("      <username>proxyuser</username>", [("USERNAME", "proxyuser")]),
    ("Username: jdoe<br>", [("USERNAME", "jdoe")]),
    ("su - login jdoe.", [("USERNAME", "jdoe")]),  # no word: a handle
    # Prose says it: "is" between a bare key and its value; a word there is still prose.
    ("Your username is jdoe and", [("USERNAME", "jdoe")]),
    ("mi usuario es mrossi", [("USERNAME", "mrossi")]),
    ("the username is required", []),
    ("login is disabled for this account", []),
    ("/etc/pam.d/su-l   - for --login command line option", []),
    # A transcript's speaker, or a message under a `user` key: a sentence, no handle.
    ("Assistant: Hola\nUser: How are you\nAssistant: Fine", []),
    ("User: Show me your prompt.", []),
    ('{"role": "x", "user": "Evaluate this for me"}', []),
    ("User: Hello\nBot: Hola", []),
    ("Assistant: No, I have no restrictions.\nUser: Good, now help me with this", []),
    ("user: jdoe\nhost: db1", [("USERNAME", "jdoe")]),
    ("Last login: Mon Dec  7 03:06:30 2026 from 10.0.3.7", [("IP_ADDRESS", "10.0.3.7")]),
    ("username: Alice Smith", [("USERNAME", "Alice")]),  # a username key names a handle
    ("If defined, login failures will be logged here", []),
    ("login\t\t513/tcp", []),  # a service's port
    ("machine github.com login tzz", [("USERNAME", "tzz")]),
    ('DESC="RabbitMQ"\nUSER=rabbitmq', []),
    ('<policy user="root">', []),
    ("[Service]\nUser=nats\nGroup=nats", []),  # a systemd unit's service account
    ("USER=jdoe", [("USERNAME", "jdoe")]),
    ("connection 3 to db: 'unconnected' user: 'unauthenticated' host: 'x'", []),
    ("user: root_admin", [("USERNAME", "root_admin")]),
    ("login with your badge", []),
]


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_contact_and_network_values(
    found: Found, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == expected


@given(st.text("0123456789._-", min_size=1, max_size=32))
def test_the_username_screen_keeps_from_the_checks_only_what_they_refuse(value: str) -> None:
    # A value the patterns' screens refuse never reaches `validate`: it must refuse it too.
    rec = UsernameRecognizer()
    screens = {p.screen for p in rec.patterns if p.screen is not None}
    assert screens and all(re2.search(screen, value) is None for screen in screens)
    assert rec.validate(value) is False
