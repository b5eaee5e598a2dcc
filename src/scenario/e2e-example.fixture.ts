/**
 * The reference E2E workflow (Django session auth + CSRF, DRF pages, lock → annotate →
 * list → release, reset between runs) written as a scenario: validated by
 * scenario-schema.test.ts and run against the fake DRF server by scenario-runner.test.ts.
 */
export const E2E_EXAMPLE_YAML = `
title: E2E
runs: 3
defaults:
  timeout: 10s
  unsafeHeaders:                    # every POST/PUT/PATCH/DELETE
    X-CSRFToken: "{{cookie.csrftoken}}"
    Referer: "{{baseUrl}}/"
setup:
  - name: csrf                      # empty jar: the response sets csrftoken
    request: { method: GET, url: /api/exams/ }
    expect: { status: [200, 401, 403] }
  - name: login                     # sets sessionid and rotates csrftoken
    request:
      method: POST
      url: /api/login/
      json: { username: prof1, password: "{{env.TEST_PROF_PASSWORD}}" }
    expect: { status: 200 }
  - name: exams
    request: { url: /api/exams/ }
    expect: { status: 200 }
    capture: { exam: "$.results[0].id" }
    assert: [{ path: "$.count", greaterThan: 0 }]
each:
  - name: ready-copy
    request: { url: "/api/exams/{{exam}}/copies/" }
    expect: { status: 200 }
    paginate: { next: "$.next" }
    capture: { copy: "$.results[?(@.status=='READY')].id" }
  - name: lock
    request: { method: POST, url: "/api/grading/copies/{{copy}}/lock/", json: {} }
    expect: { status: [201, 200] }
    capture: { lockToken: { path: "$.token", secret: true } }
  - name: annotate
    criterion: annotation
    request:
      method: POST
      url: "/api/grading/copies/{{copy}}/annotations/"
      headers: { X-Lock-Token: "{{lockToken}}" }
      json: { page_index: 0, x: 0.1, y: 0.2, w: 0.3, h: 0.05, type: COMMENT, content: "release-gate E2E run {{run}}" }
    expect: { status: 201 }
  - name: list-annotations          # a bare list or a DRF page: $[count,length] reads either
    request: { url: "/api/grading/copies/{{copy}}/annotations/" }
    expect: { status: 200 }
    assert: [{ path: "$[count,length]", greaterThan: 0 }]
finally:                            # after every run, even a failed one
  - name: release
    if: lockToken
    request:
      method: DELETE
      url: "/api/grading/copies/{{copy}}/lock/release/"
      headers: { X-Lock-Token: "{{lockToken}}" }
    expect: { status: [204, 200] }
  - name: reset
    exec:
      service: backend
      run: [python, manage.py, shell, -c, "from grading.models import CopyLock; from exams.models import Copy; CopyLock.objects.all().delete(); Copy.objects.filter(status='LOCKED').update(status='READY')"]
`;
