using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations
{
    /// <inheritdoc />
    public partial class SyncRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SyncRules",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    Image = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    TagPattern = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    PatternType = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    IntervalMinutes = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxTags = table.Column<int>(type: "INTEGER", nullable: false),
                    Mode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Platforms = table.Column<string>(type: "TEXT", maxLength: 1020, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastRunAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    NextRunAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastJobId = table.Column<long>(type: "INTEGER", nullable: true),
                    LastRunStatus = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    LastRunTags = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    PinnedJobId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SyncRules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SyncRules_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SyncRulePins",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SyncRuleId = table.Column<long>(type: "INTEGER", nullable: false),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SyncRulePins", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SyncRulePins_SyncRules_SyncRuleId",
                        column: x => x.SyncRuleId,
                        principalTable: "SyncRules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SyncRulePins_Digest",
                table: "SyncRulePins",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_SyncRulePins_GroupId_Digest",
                table: "SyncRulePins",
                columns: new[] { "GroupId", "Digest" });

            migrationBuilder.CreateIndex(
                name: "IX_SyncRulePins_SyncRuleId_Digest",
                table: "SyncRulePins",
                columns: new[] { "SyncRuleId", "Digest" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SyncRules_Enabled_NextRunAt",
                table: "SyncRules",
                columns: new[] { "Enabled", "NextRunAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SyncRules_GroupId",
                table: "SyncRules",
                column: "GroupId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SyncRulePins");

            migrationBuilder.DropTable(
                name: "SyncRules");
        }
    }
}
